package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A simulator serves HTTP/1.1 and h2c (prior knowledge and upgrade) on one port, and counts the connections calls
 * came on, so that a test can tell how many calls shared one.
 */
class SimulatorProtocolsTest {

    static GroqSimulator groq;
    static Vertx vertx;

    private static final String STREAM = "{\"model\":\"llama-3.1-8b-instant\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        vertx = Vertx.vertx();
    }

    @BeforeEach
    void reset() {
        groq.reset().acceptKeys("gsk_test_protocols_key_0001").reply("one two three four five");
    }

    @AfterAll
    static void stop() throws Exception {
        groq.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What came back: the protocol it came over, its status and body. */
    record Answer(HttpVersion version, int status, String body) {}

    private static List<Answer> chat(HttpClientOptions options, int concurrent) throws Exception {
        HttpClient client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(concurrent));
        try {
            List<Future<Answer>> calls = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                calls.add(client.request(new RequestOptions()
                                .setMethod(HttpMethod.POST)
                                .setAbsoluteURI(groq.baseUrl() + "/chat/completions")
                                .putHeader("Authorization", "Bearer gsk_test_protocols_key_0001")
                                .putHeader("Content-Type", "application/json"))
                        .compose(request -> request.send(Buffer.buffer(STREAM)))
                        .compose(response -> response.body()
                                .map(body -> new Answer(response.version(), response.statusCode(), body.toString()))));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> call : calls) {
                answers.add(call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void http11CallsComeOneConnectionEach() throws Exception {
        List<Answer> answers = chat(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1), 5);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.version()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).contains("data: [DONE]");
        });
        assertThat(groq.connectionsOpened()).isEqualTo(5);
        assertThat(groq.maxConnections()).isEqualTo(5);
    }

    @Test
    void h2cWithPriorKnowledgeCarriesConcurrentCallsOnOneConnection() throws Exception {
        List<Answer> answers = chat(
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false), 20);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).contains("data: [DONE]");
        });
        assertThat(groq.connectionsOpened()).isEqualTo(1);
        assertThat(groq.chatCalls()).isEqualTo(20);
    }

    @Test
    void h2cByUpgradeFromHttp11CountsAsOneConnection() throws Exception {
        List<Answer> answers = chat(
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(true), 1);
        assertThat(answers.get(0).version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(answers.get(0).body()).contains("data: [DONE]");
        assertThat(groq.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void aCutOverH2ResetsItsStreamOnly() throws Exception {
        groq.faultOnce(Fault.cutAfter(2));
        HttpClientOptions h2c =
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
        HttpClient client = vertx.createHttpClient(h2c);
        try {
            Future<String> cut = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setAbsoluteURI(groq.baseUrl() + "/chat/completions")
                            .putHeader("Authorization", "Bearer gsk_test_protocols_key_0001"))
                    .compose(request -> request.send(Buffer.buffer(STREAM)))
                    .compose(response -> response.body().map(Buffer::toString));
            assertThat(cut.toCompletionStage()
                            .toCompletableFuture()
                            .handle((body, failure) -> failure)
                            .get(10, TimeUnit.SECONDS))
                    .as("the cut stream fails")
                    .isNotNull();
            String next = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setAbsoluteURI(groq.baseUrl() + "/chat/completions")
                            .putHeader("Authorization", "Bearer gsk_test_protocols_key_0001"))
                    .compose(request -> request.send(Buffer.buffer(STREAM)))
                    .compose(response -> response.body().map(Buffer::toString))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(next).contains("data: [DONE]");
            assertThat(groq.connectionsOpened())
                    .as("the connection outlived the cut")
                    .isEqualTo(1);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void statsReportTheConnections() throws Exception {
        chat(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false), 3);
        HttpClient client = vertx.createHttpClient();
        try {
            String stats = client.request(HttpMethod.GET, groq.port(), "127.0.0.1", "/_sim/stats")
                    .compose(request -> request.send())
                    .compose(response -> response.body().map(Buffer::toString))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(Json.parse(stats.getBytes()).get("connections_opened").asInt())
                    .as("the h2c one and this one")
                    .isEqualTo(2);
            assertThat(Json.parse(stats.getBytes()).has("connections")).isTrue();
            assertThat(Json.parse(stats.getBytes()).has("max_connections")).isTrue();
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
