package dev.cortex.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.TestKeys;
import dev.cortex.chat.Json;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gateway keys through real clients: the OpenAI SDK's {@code api_key}, LangChain4j's {@code apiKey} and an Ollama
 * client's bearer header are Cortex keys, created by the key command into the file Cortex reads live.
 */
class GatewayKeysTest {

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;
    static Path keysFile;
    static LogCapture log;
    static String admin;
    static String teamA; // no restrictions beyond the configured lists
    static String narrow; // groq only, one model, max_tokens 100
    static String privateData; // local only

    @BeforeAll
    static void start() throws IOException {
        log = new LogCapture();
        keysFile = Files.createTempDirectory("cortex-keys").resolve("keys.yaml");
        admin = newKey("--name", "ops", "--admin");
        teamA = newKey("--name", "team-a");
        narrow = newKey(
                "--name", "narrow", "--providers", "groq", "--models", "llama-3.1-8b-instant", "--max-tokens", "100");
        privateData = newKey("--name", "private-data", "--local-only");
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "cortex.keys.file", keysFile.toString(),
                "provider.groq.api-key", "gsk_test_gateway_keys_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "provider.ollama.base-url", ollama.baseUrl()));
    }

    @BeforeEach
    void answers() {
        groq.reset();
        ollama.reset();
        groq.reply("groq answers");
        ollama.reply("ollama answers");
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
        log.close();
    }

    static String newKey(String... options) {
        return TestKeys.create(keysFile, options);
    }

    static String keyCommand(String... args) {
        return TestKeys.command(args);
    }

    static OpenAIClient openAi(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    static ChatCompletion complete(String key, String model) {
        return openAi(key)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(model)
                        .addUserMessage("Say something")
                        .build());
    }

    static HttpResponse<String> send(String method, String path, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cortex.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return Http.send(request.build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void noKeyOrAnUnknownKeyIs401InEachDoorsShape() {
        HttpResponse<String> openAi = send("POST", "/v1/chat/completions", null, HELLO);
        assertThat(openAi.statusCode()).isEqualTo(401);
        assertThat(json(openAi).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(openAi.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"cortex\"");

        HttpResponse<String> ollamaDoor = send("POST", "/api/chat", "ck_not_a_key_Cortex_issued", HELLO);
        assertThat(ollamaDoor.statusCode()).isEqualTo(401);
        assertThat(json(ollamaDoor).get("error").asText()).contains("Invalid API key");

        assertThatThrownBy(() -> complete("sk-not-a-cortex-key", "llama-3.1-8b-instant"))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("Invalid API key");
        assertThatThrownBy(() -> OpenAiChatModel.builder()
                        .baseUrl(cortex.url("/v1"))
                        .apiKey("sk-not-a-cortex-key")
                        .modelName("llama-3.1-8b-instant")
                        .maxRetries(0)
                        .build()
                        .chat("hi"))
                .hasMessageContaining("Invalid API key");
        assertThat(groq.chatCalls() + ollama.chatCalls()).isZero();
    }

    @Test
    void realClientsAuthenticateWithACortexKey() throws Exception {
        assertThat(complete(teamA, "llama-3.1-8b-instant")
                        .choices()
                        .get(0)
                        .message()
                        .content())
                .contains("groq answers");
        try (StreamResponse<ChatCompletionChunk> stream = openAi(teamA)
                .chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("llama-3.1-8b-instant")
                        .addUserMessage("Say something")
                        .build())) {
            StringBuilder text = new StringBuilder();
            stream.stream()
                    .forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
            assertThat(text.toString()).isEqualTo("groq answers");
        }
        assertThat(OpenAiChatModel.builder()
                        .baseUrl(cortex.url("/v1"))
                        .apiKey(teamA)
                        .modelName("llama-3.1-8b-instant")
                        .maxRetries(0)
                        .build()
                        .chat("Say something"))
                .isEqualTo("groq answers");

        Ollama client = new Ollama(cortex.url(""));
        client.setRequestTimeoutSeconds(30);
        client.setBearerAuth(teamA);
        assertThat(client.chat(
                                OllamaChatRequest.builder()
                                        .withModel("llama3.2")
                                        .withMessage(OllamaChatMessageRole.USER, "Say something")
                                        .build(),
                                null)
                        .getResponseModel()
                        .getMessage()
                        .getResponse())
                .isEqualTo("ollama answers");
        Ollama noKey = new Ollama(cortex.url(""));
        noKey.setRequestTimeoutSeconds(30);
        assertThatThrownBy(() -> noKey.listModels()).hasMessageContaining("401");

        // x-api-key is the other header SDKs use
        HttpResponse<String> viaHeader = Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/models")))
                .header("x-api-key", teamA)
                .GET()
                .build());
        assertThat(viaHeader.statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedKeyIsRefusedOnTheVeryNextRequest() {
        String shortLived = newKey("--name", "short-lived");
        assertThat(complete(shortLived, "llama-3.1-8b-instant").choices()).hasSize(1);
        keyCommand("revoke", "--file", keysFile.toString(), "--name", "short-lived");
        assertThatThrownBy(() -> complete(shortLived, "llama-3.1-8b-instant"))
                .isInstanceOf(UnauthorizedException.class);
        assertThat(complete(teamA, "llama-3.1-8b-instant").choices()).hasSize(1); // the others still work
    }

    @Test
    void aModelOrProviderOutsideTheKeysPolicyIs403NamingIt() {
        // the narrow key may use one groq model only
        assertThatThrownBy(() -> complete(narrow, "llama3.2"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("llama3.2");
        HttpResponse<String> pinned = send(
                "POST",
                "/v1/chat/completions",
                narrow,
                "{\"provider\":\"ollama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(pinned.statusCode()).isEqualTo(403);
        assertThat(json(pinned).at("/error/code").asText()).isEqualTo("provider_not_allowed");
        assertThat(json(pinned).at("/error/message").asText()).contains("'ollama'", "narrow");
        // every key: provider/<any> reaches only the models the operator configured for that provider
        assertThatThrownBy(() -> complete(teamA, "groq/llama-4-the-operator-never-listed"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("groq/llama-4-the-operator-never-listed");
        assertThat(groq.chatCalls() + ollama.chatCalls()).isZero();
        assertThat(complete(teamA, "groq/llama-3.1-8b-instant").choices()).hasSize(1);
    }

    @Test
    void theKeysMaxTokensCeilingRefusesMoreAndCapsWhatIsUnset() {
        HttpResponse<String> over = send(
                "POST",
                "/v1/chat/completions",
                narrow,
                "{\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(json(over).at("/error/message").asText()).contains("500", "100");
        assertThat(complete(narrow, "llama-3.1-8b-instant").choices()).hasSize(1);
        assertThat(groq.lastChatRequest().body().path("max_completion_tokens").asInt())
                .isEqualTo(100);
    }

    @Test
    void aLocalOnlyKeyNeverReachesACloudProvider() {
        for (int i = 0; i < 3; i++) {
            assertThat(complete(privateData, "any-model")
                            .choices()
                            .get(0)
                            .message()
                            .content())
                    .contains("ollama answers");
        }
        HttpResponse<String> explained =
                Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + privateData)
                        .header("X-Cortex-Explain", "true")
                        .header("X-Cortex-Strategy", "cloud_first")
                        .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                        .build());
        assertThat(explained.statusCode()).isEqualTo(200);
        assertThat(explained.headers().firstValue("X-Cortex-Route").orElseThrow())
                .contains("groq(skip: key is local only)");
        assertThat(explained.headers().firstValue("X-Cortex-Attempts")).contains("ollama:ok");
        // a cloud model named outright is refused rather than quietly answered by another model
        assertThatThrownBy(() -> complete(privateData, "llama-3.1-8b-instant"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("local only");
        assertThat(groq.chatCalls()).isZero();

        JsonNode plan = json(send("GET", "/api/route?key=private-data&strategy=cloud_first", admin, null));
        assertThat(plan.get("key").asText()).isEqualTo("private-data");
        assertThat(plan.at("/order/0/provider").asText()).isEqualTo("groq");
        assertThat(plan.at("/order/0/action").asText()).isEqualTo("skip");
        assertThat(plan.at("/order/0/reason").asText()).isEqualTo("key is local only");

        JsonNode models = json(send("GET", "/v1/models", privateData, null));
        assertThat(models.get("data").findValuesAsText("owned_by")).isNotEmpty().containsOnly("ollama");
    }

    @Test
    void operatorEndpointsNeedTheAdminScopeAndHealthStaysPublic() {
        for (String path : List.of("/api/route", "/metrics")) {
            HttpResponse<String> plain = send("GET", path, teamA, null);
            assertThat(plain.statusCode()).as(path).isEqualTo(403);
            assertThat(plain.body()).contains("needs a key with the admin scope");
            assertThat(send("GET", path, null, null).statusCode()).as(path).isEqualTo(401);
            assertThat(send("GET", path, admin, null).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(send("POST", "/api/providers/groq/restore", teamA, null).statusCode())
                .isEqualTo(403);
        assertThat(send("POST", "/api/providers/groq/restore", admin, null).statusCode())
                .isEqualTo(200);

        HttpResponse<String> publicHealth = send("GET", "/api/health", null, null);
        assertThat(publicHealth.statusCode()).isEqualTo(200);
        assertThat(json(publicHealth).get("status").asText()).isEqualTo("ok");
        assertThat(json(publicHealth).has("providers")).isFalse();
        assertThat(json(send("GET", "/api/health", teamA, null)).has("providers"))
                .isFalse();
        assertThat(json(send("GET", "/api/health", admin, null))
                        .at("/providers/groq/keys/usable")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void noKeyAppearsInAnyAnswerOrLogLine() {
        complete(teamA, "llama-3.1-8b-instant");
        send("POST", "/v1/chat/completions", "ck_wrong_" + teamA.substring(3), HELLO);
        String metrics = send("GET", "/metrics", admin, null).body();
        assertThat(metrics)
                .contains("cortex_front_door_refused_total")
                .contains("cortex_gateway_requests_total{key=\"team-a\"}");
        String health = send("GET", "/api/health", admin, null).body();
        for (String key : List.of(admin, teamA, narrow, privateData)) {
            assertThat(metrics).doesNotContain(key);
            assertThat(health).doesNotContain(key);
            assertThat(log.text()).doesNotContain(key);
        }
    }
}
