package dev.cortex.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.TestKeys;
import dev.cortex.chat.Json;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Limits and budgets of gateway keys, one Cortex with its embedded store, through the OpenAI SDK: 429 with the
 * headers the SDK reads, budgets counted from the providers' usage reports and the price table, the usage endpoint,
 * the per-key series, and a budget that stays spent across a restart.
 */
class KeyLimitsTest {

    // a dollar per token in and two out, so that a few tokens make sums worth checking
    static final double IN = 1_000_000;
    static final double OUT = 2_000_000;
    static final String MODEL = "llama-3.1-8b-instant";

    GroqSimulator groq;
    OllamaSimulator ollama;
    CortexServer cortex;
    Path keysFile;
    Path limitsDir;
    String admin;

    @BeforeEach
    void start() throws IOException {
        keysFile = Files.createTempDirectory("cortex-limits-keys").resolve("keys.yaml");
        limitsDir = Files.createTempDirectory("cortex-limits-data");
        admin = TestKeys.create(keysFile, "--name", "ops", "--admin");
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        groq.reply("groq answers with a few words");
        ollama.reply("ollama answers");
        cortex = startCortex();
    }

    CortexServer startCortex() {
        Map<String, String> settings = new HashMap<>();
        settings.put("cortex.keys.file", keysFile.toString());
        settings.put("cortex.limits.data-dir", limitsDir.toString());
        settings.put("provider.groq.api-key", "gsk_test_limits_0001");
        settings.put("provider.groq.base-url", groq.baseUrl());
        settings.put("provider.groq.price." + MODEL, IN + " / " + OUT);
        settings.put("provider.ollama.base-url", ollama.baseUrl());
        return CortexServer.start(settings);
    }

    @AfterEach
    void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    OpenAIClient openAi(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    static ChatCompletionCreateParams ask(String model, long maxTokens) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .maxTokens(maxTokens)
                .addUserMessage("Say something short")
                .build();
    }

    HttpResponse<String> get(String path, String key) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .build());
    }

    static JsonNode json(String body) {
        try {
            return Json.parse(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void overItsRequestsPerMinuteAKeyGets429WithTheHeadersTheSdkReads() {
        String key = TestKeys.create(keysFile, "--name", "team-a", "--requests-per-minute", "3");
        OpenAIClient client = openAi(key);
        for (int i = 0; i < 3; i++) {
            var answer = client.chat().completions().withRawResponse().create(ask(MODEL, 20));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().values("x-ratelimit-limit-requests")).containsExactly("3");
            assertThat(answer.headers().values("x-ratelimit-remaining-requests"))
                    .containsExactly(Integer.toString(2 - i));
        }
        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class, () -> client.chat().completions().create(ask(MODEL, 20)));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.code()).contains("rate_limit_exceeded");
        assertThat(refused.type()).contains("requests");
        assertThat(refused.getMessage()).contains("team-a").contains("3 requests per minute");
        assertThat(refused.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
        // one request comes back every 20 s at 3 a minute
        long retryAfter = Long.parseLong(refused.headers().values("Retry-After").get(0));
        assertThat(retryAfter).isBetween(1L, 20L);
        assertThat(Long.parseLong(refused.headers().values("retry-after-ms").get(0)))
                .isBetween(1L, 20_000L);
        assertThat(groq.chatCalls())
                .as("the refused request reached no provider")
                .isEqualTo(3);
        // another key is not held to team-a's limit
        String other = TestKeys.create(keysFile, "--name", "team-b");
        assertThat(openAi(other).chat().completions().create(ask(MODEL, 20)).choices())
                .hasSize(1);
    }

    @Test
    void anEmbeddingReservesItsInputTokensOnlyUnderTheSameKeyLimits() {
        ollama.installModel("nomic-embed-text", 274L * 1024 * 1024, "nomic-bert", "137M");
        String key = TestKeys.create(keysFile, "--name", "embedder", "--tokens-per-minute", "2000");
        java.net.http.HttpResponse<String> r = dev.cortex.Http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(cortex.url("/v1/embeddings")))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"nomic-embed-text\",\"input\":\"hello world\"}"))
                        .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // "hello world": 11 characters, 3 tokens and 4 for the message; no answer to reserve for (a chat would also
        // hold cortex.limits.default-completion-tokens, 1024)
        assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("1993");
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("ollama");
    }

    @Test
    void aRequestLargerThanAWholeMinuteOfTokensIsRefusedAsNotWorthRetrying() {
        String key = TestKeys.create(keysFile, "--name", "small", "--tokens-per-minute", "500");
        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class, () -> openAi(key).chat().completions().create(ask(MODEL, 1000)));
        assertThat(refused.type()).contains("tokens");
        assertThat(refused.getMessage()).contains("max_tokens");
        assertThat(refused.headers().values("x-should-retry")).containsExactly("false");
        assertThat(refused.headers().values("x-ratelimit-limit-tokens")).containsExactly("500");
        // a request that fits is served, and the answer's usage, not its reservation, is what the minute keeps
        var answer = openAi(key).chat().completions().withRawResponse().create(ask(MODEL, 100));
        assertThat(answer.statusCode()).isEqualTo(200);
        ChatCompletion completion = answer.parse();
        long used = completion.usage().orElseThrow().totalTokens();
        var next = openAi(key).chat().completions().withRawResponse().create(ask(MODEL, 100));
        long remaining = Long.parseLong(
                next.headers().values("x-ratelimit-remaining-tokens").get(0));
        // after the second reservation: 500 - used - (second estimate), give or take what refilled in between
        assertThat(remaining).isLessThan(500 - used).isGreaterThan(500 - used - 200);
    }

    @Test
    void aSpentDailyBudgetRefusesWhatCostsMoneyServesWhatIsFreeAndStaysSpentAcrossARestart() {
        // $30 a day at $1 per input token and $2 per output token. A request reserves its estimate: a prompt of about
        // 9 tokens and max_tokens 10, $29, which fits; the answer spends less than that, and what it leaves is less
        // than the next request's $29
        String key = TestKeys.create(keysFile, "--name", "budget", "--budget-per-day", "30");
        ChatCompletion first = openAi(key).chat().completions().create(ask(MODEL, 10));
        long cost = Math.round(first.usage().orElseThrow().promptTokens() * 1
                + first.usage().orElseThrow().completionTokens() * 2);
        assertThat(cost)
                .as("the first answer spends more than the budget less one reservation")
                .isBetween(2L, 29L);

        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class, () -> openAi(key).chat().completions().create(ask(MODEL, 10)));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.code()).contains("budget_exceeded");
        assertThat(refused.type()).contains("insufficient_quota");
        assertThat(refused.headers().values("x-should-retry")).containsExactly("false");
        assertThat(refused.getMessage()).contains("budget of $30 for today");
        assertThat(groq.chatCalls()).isEqualTo(1);

        // a local model costs nothing: the same key is still served there, and by local providers only
        ChatCompletion local = openAi(key).chat().completions().create(ask("llama3.2", 10));
        assertThat(local.choices().get(0).message().content()).contains("ollama answers");
        HttpResponse<String> explained =
                Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .header("X-Cortex-Explain", "true")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"llama3.2\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build());
        assertThat(explained.statusCode()).isEqualTo(200);
        assertThat(explained.headers().firstValue("X-Cortex-Route").orElse("")).contains("groq(skip: budget spent)");

        // the usage endpoint accounts for both, at the price table's prices
        JsonNode usage = json(get("/api/usage?key=budget", admin).body());
        JsonNode row = usage.path("keys").get(0);
        assertThat(row.path("key").asText()).isEqualTo("budget");
        assertThat(row.path("requests").asLong())
                .as("three answered, one refused before any provider")
                .isEqualTo(3);
        assertThat(row.path("cost_usd").decimalValue().longValue()).isEqualTo(cost);
        assertThat(row.path("limits").path("budget_per_day_usd").asLong()).isEqualTo(30);
        assertThat(row.path("limits").path("spent_today_usd").decimalValue().longValue())
                .isEqualTo(cost);
        assertThat(row.path("by_model").findValuesAsText("provider")).contains("groq", "ollama");

        // and the per-key series
        String metrics = get("/metrics", admin).body();
        assertThat(metrics)
                .contains("cortex_key_limited_total{key=\"budget\",limit=\"budget_day\"} 1.0")
                .containsPattern("cortex_key_requests_total\\{key=\"budget\",model=\"[^\"]+\",provider=\"groq\"} 1.0");

        // a restart on the same data directory: the day's budget is still spent
        cortex.close();
        cortex = startCortex();
        RateLimitException again = catchThrowableOfType(
                RateLimitException.class, () -> openAi(key).chat().completions().create(ask(MODEL, 10)));
        assertThat(again.code()).contains("budget_exceeded");
        assertThat(groq.chatCalls()).isEqualTo(1);
    }

    @Test
    void aStreamCarriesItsLimitHeadersAndSettlesWhenItEnds() {
        String key = TestKeys.create(
                keysFile, "--name", "streamer", "--requests-per-minute", "10", "--tokens-per-minute", "100000");
        try (StreamResponse<ChatCompletionChunk> stream =
                openAi(key).chat().completions().createStreaming(ask(MODEL, 50))) {
            assertThat(stream.stream().count()).isPositive();
        }
        var raw = openAi(key).chat().completions().withRawResponse().createStreaming(ask(MODEL, 50));
        assertThat(raw.headers().values("x-ratelimit-limit-tokens")).containsExactly("100000");
        assertThat(raw.headers().values("x-ratelimit-remaining-requests")).containsExactly("8");
        try (StreamResponse<ChatCompletionChunk> stream = raw.parse()) {
            stream.stream().forEach(chunk -> {});
        }
        // both streams were settled and accounted, with the tokens their provider reported
        JsonNode usage = json(get("/api/usage?key=streamer", admin).body());
        assertThat(usage.path("keys").get(0).path("requests").asLong()).isEqualTo(2);
        assertThat(usage.path("keys").get(0).path("output_tokens").asLong()).isPositive();
    }

    @Test
    void theUsageEndpointNeedsAnAdminKeyAndReadableDays() {
        String key = TestKeys.create(keysFile, "--name", "plain");
        assertThat(get("/api/usage", key).statusCode()).isEqualTo(403);
        HttpResponse<String> bad = get("/api/usage?from=yesterday", admin);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("2026-12-03".substring(0, 4)).contains("'from'");
        assertThat(get("/api/usage?key=nobody", admin).statusCode()).isEqualTo(404);
        JsonNode all = json(get("/api/usage", admin).body());
        assertThat(all.path("store").asText()).isEqualTo("embedded");
        assertThat(all.path("keys").findValuesAsText("key")).contains("ops", "plain");
    }
}
