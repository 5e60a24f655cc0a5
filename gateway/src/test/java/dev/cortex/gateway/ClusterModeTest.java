package dev.cortex.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.RedisServer;
import dev.cortex.TestKeys;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster mode: two Cortex instances against one real redis-server share the keys' limits, budgets and usage, and the
 * providers' key cooldowns; with Redis gone they keep answering under local limits, and say so.
 */
class ClusterModeTest {

    static final String MODEL = "llama-3.1-8b-instant";

    RedisServer redis;
    GroqSimulator groq;
    OllamaSimulator ollama;
    Path keysFile;
    CortexServer a;
    CortexServer b;
    String admin;

    @BeforeEach
    void start() throws IOException {
        redis = RedisServer.create();
        keysFile = Files.createTempDirectory("cortex-cluster-keys").resolve("keys.yaml");
        admin = TestKeys.create(keysFile, "--name", "ops", "--admin");
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        groq.reply("groq answers");
        ollama.reply("ollama answers");
        a = replica();
        b = replica();
    }

    CortexServer replica() {
        Map<String, String> settings = new HashMap<>();
        settings.put("cortex.keys.file", keysFile.toString());
        settings.put("cortex.redis.url", redis.url());
        settings.put("cortex.redis.key-prefix", "cortex-test:");
        settings.put("provider.groq.api-key", "gsk_test_cluster_0001");
        settings.put("provider.groq.base-url", groq.baseUrl());
        settings.put("provider.groq.price." + MODEL, "1000000 / 2000000"); // a dollar a token in, two out
        settings.put("provider.ollama.base-url", ollama.baseUrl());
        return CortexServer.start(settings);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, groq, ollama, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static HttpResponse<String> chat(CortexServer cortex, String key, String model) {
        String body = "{\"model\":\"" + model
                + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Say something short\"}]}";
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    static JsonNode get(CortexServer cortex, String path, String key) {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(cortex.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .build());
        try {
            return Json.parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests the usage accounts hold for a key, as one replica reads them. */
    long requestsOf(CortexServer cortex, String keyName) {
        return get(cortex, "/api/usage?key=" + keyName, admin)
                .path("keys")
                .get(0)
                .path("requests")
                .asLong();
    }

    @Test
    void aPerMinuteLimitHoldsAcrossBothReplicas() throws Exception {
        String key = TestKeys.create(keysFile, "--name", "team-a", "--requests-per-minute", "10");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                CortexServer replica = i % 2 == 0 ? a : b;
                sent.add(pool.submit(() -> chat(replica, key, MODEL).statusCode()));
            }
            int ok = 0;
            int limited = 0;
            for (Future<Integer> f : sent) {
                int status = f.get();
                if (status == 200) {
                    ok++;
                } else if (status == 429) {
                    limited++;
                }
            }
            // the 24 requests take well under the 6 s in which a tenth request's worth would refill
            assertThat(ok).as("200s from both replicas together").isEqualTo(10);
            assertThat(limited).isEqualTo(14);
        } finally {
            pool.shutdownNow();
        }
        // each replica's usage report reads the same shared accounts (settled just after each reply)
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsOf(a, "team-a") == 10);
        assertThat(get(b, "/api/usage?key=team-a", admin).path("store").asText())
                .isEqualTo("redis");
    }

    @Test
    void aBudgetSpentThroughOneReplicaIsRefusedByTheOther() {
        // $30: the first request reserves about $29 and spends less; what is left cannot hold another reservation
        String key = TestKeys.create(keysFile, "--name", "budget", "--budget-per-day", "30");
        assertThat(chat(a, key, MODEL).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chat(b, key, MODEL);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("budget_exceeded").contains("insufficient_quota");
        assertThat(groq.chatCalls()).isEqualTo(1);
        // the answer is settled just after it went out: its cost, not its reservation, is then what was spent
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsOf(b, "budget") == 1);
        JsonNode spent = get(b, "/api/usage?key=budget", admin).path("keys").get(0);
        assertThat(spent.path("limits").path("spent_today_usd").decimalValue().signum())
                .isPositive();
        assertThat(spent.path("cost_usd").decimalValue())
                .isEqualByComparingTo(
                        spent.path("limits").path("spent_today_usd").decimalValue());
    }

    @Test
    void aProviderKeyCooledByA429OnOneReplicaIsSkippedByTheOtherWithoutACall() {
        String key = TestKeys.create(keysFile, "--name", "team-a");
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(60)));
        HttpResponse<String> first = chat(a, key, MODEL);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Cortex-Attempts").orElse("")).startsWith("groq:429");
        assertThat(groq.chatCalls()).isEqualTo(1);

        // the other replica learns of the cooldown through Redis (a message, milliseconds later)
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get(b, "/api/health", admin)
                                .path("providers")
                                .path("groq")
                                .path("keys")
                                .path("cooling")
                                .asInt()
                        == 1);
        HttpResponse<String> second = chat(b, key, MODEL);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("X-Cortex-Provider")).contains("ollama");
        assertThat(groq.chatCalls()).as("the cooling key was not called again").isEqualTo(1);
    }

    @Test
    void withRedisGoneRequestsAreAnsweredUnderLocalLimitsAndHealthSaysSo() {
        String key = TestKeys.create(keysFile, "--name", "team-a", "--requests-per-minute", "3");
        assertThat(chat(a, key, MODEL).statusCode()).isEqualTo(200);
        // its settlement runs after the reply: once in Redis, it goes with Redis's restart below; stopped before it
        // landed, it would be kept for the replay, and the accounts would rightly show 4
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        get(b, "/api/usage?key=team-a", admin).toString())
                .contains("\"requests\":1"));
        redis.stop();

        long started = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(chat(a, key, MODEL).statusCode());
        }
        // no request waited on Redis for long: the first found it gone within the timeout, the rest did not ask
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        // the local limit starts afresh on this replica: 3 a minute, then 429s, never a 5xx
        assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
        JsonNode health = get(a, "/api/health", admin);
        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("limits").path("healthy").asBoolean()).isFalse();
        assertThat(health.path("limits").path("store").asText())
                .contains("unreachable")
                .contains("local");

        redis.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(a, "/api/health", admin)
                .path("limits")
                .path("healthy")
                .asBoolean());
        // what was served meanwhile reached the shared accounts: the 3 answers of the outage (the test's Redis keeps
        // nothing across its restart, so the answer before it went with it; a real Redis persists)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        get(b, "/api/usage?key=team-a", admin).toString())
                .contains("\"requests\":3"));
    }
}
