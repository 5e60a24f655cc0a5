package dev.cortex.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The front door's defences that need no key: where it listens without keys, what bodies and origins it takes, and
 * how it stays answerable when flooded or left with idle connections.
 */
class FrontDoorDefenceTest {

    static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** An address of this machine other than loopback, if it has one (a sandbox may have none). */
    static Optional<InetAddress> outsideAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return Optional.of(a);
                    }
                }
            }
        }
        return Optional.empty();
    }

    static boolean reachable(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void withoutKeysItListensOnLoopbackOnlyAndSaysSo() throws Exception {
        try (LogCapture log = new LogCapture();
                CortexServer cortex = CortexServer.start(Map.of("camel.server.host", "0.0.0.0"))) {
            assertThat(log.text()).contains("No gateway keys", "listening on 127.0.0.1:" + cortex.port() + " only");
            assertThat(Http.get(cortex.url("/api/health")).statusCode()).isIn(200, 503);
            // where the machine has another address, nothing answers there; a machine with none has nothing to test
            Optional<InetAddress> outside = outsideAddress();
            if (outside.isPresent()) {
                assertThat(reachable(outside.get(), cortex.port())).isFalse();
            }
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutKeysTakesAnExplicitSettingAndWarnsAtStart() throws Exception {
        try (LogCapture log = new LogCapture();
                CortexServer cortex = CortexServer.start(
                        Map.of("camel.server.host", "0.0.0.0", "cortex.http.allow-unauthenticated-network", "true"))) {
            assertThat(log.text()).contains("WARN", "anyone who can reach this port can spend the providers' keys");
            Optional<InetAddress> outside = outsideAddress();
            if (outside.isPresent()) {
                assertThat(reachable(outside.get(), cortex.port())).isTrue();
            }
        }
    }

    @Test
    void postsMustBeJsonAndCrossSiteRequestsNeedAConfiguredOrigin() {
        try (OllamaSimulator ollama = (OllamaSimulator) new OllamaSimulator().start();
                CortexServer cortex = CortexServer.start(Map.of(
                        "provider.ollama.base-url",
                        ollama.baseUrl(),
                        "cortex.http.allowed-origins",
                        "https://chat.example.com"))) {
            ollama.reply("fine");
            HttpResponse<String> text = Http.send(request(cortex, "/v1/chat/completions")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                    .build());
            assertThat(text.statusCode()).isEqualTo(415);
            assertThat(text.body()).contains("\"code\":\"unsupported_media_type\"");
            HttpResponse<String> form = Http.send(request(cortex, "/api/chat")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                    .build());
            assertThat(form.statusCode()).isEqualTo(415);
            assertThat(form.body()).startsWith("{\"error\":\"Send the request body as JSON");
            assertThat(Http.send(request(cortex, "/api/chat")
                                    .header("Content-Type", "application/vnd.cortex+json; charset=utf-8")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"stream\":false," + HELLO.substring(1)))
                                    .build())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(ollama.chatCalls()).isEqualTo(1);

            HttpResponse<String> evil = Http.send(request(cortex, "/v1/chat/completions")
                    .header("Content-Type", "application/json")
                    .header("Origin", "https://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO))
                    .build());
            assertThat(evil.statusCode()).isEqualTo(403);
            assertThat(evil.body()).contains("origin_not_allowed");
            HttpResponse<String> friend = Http.send(request(cortex, "/v1/models")
                    .header("Origin", "https://chat.example.com")
                    .GET()
                    .build());
            assertThat(friend.statusCode()).isEqualTo(200);
            assertThat(friend.headers().firstValue("Access-Control-Allow-Origin"))
                    .contains("https://chat.example.com");
            HttpResponse<String> preflight = Http.send(request(cortex, "/v1/chat/completions")
                    .header("Origin", "https://chat.example.com")
                    .header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight
                            .headers()
                            .firstValue("Access-Control-Allow-Headers")
                            .orElseThrow())
                    .contains("Authorization");
            assertThat(ollama.chatCalls()).isEqualTo(1); // neither refusal reached a provider
        }
    }

    @Test
    void aBodyOverTheLimitIs413InTheDoorsShape() {
        try (CortexServer cortex = CortexServer.start(Map.of("camel.server.max-body-size", "1024"))) {
            String big = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4096) + "\"}]}";
            HttpResponse<String> openAi = Http.post(cortex.url("/v1/chat/completions"), big);
            assertThat(openAi.statusCode()).isEqualTo(413);
            assertThat(openAi.body()).contains("\"code\":\"request_too_large\"", "1024 bytes");
            HttpResponse<String> ollamaDoor = Http.post(cortex.url("/api/chat"), big);
            assertThat(ollamaDoor.statusCode()).isEqualTo(413);
            assertThat(ollamaDoor.body()).startsWith("{\"error\":\"The request body is larger");
        }
    }

    @Test
    void aRequestWaitingOnAProviderHoldsNoWorkerThread() throws Exception {
        // two workers: were a waiting request to keep its worker, no more than two could be waiting on the provider
        int requests = 20;
        ExecutorService callers = Executors.newFixedThreadPool(requests);
        try (OllamaSimulator ollama = (OllamaSimulator) new OllamaSimulator().start();
                CortexServer cortex = CortexServer.start(Map.of(
                        "provider.ollama.base-url", ollama.baseUrl(),
                        "provider.ollama.max-concurrent", "64",
                        "cortex.http.worker-pool-size", "2",
                        "cortex.http.max-queued-requests", "62"))) {
            ollama.reply("done");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.get(cortex.url("/api/health")).statusCode() == 200); // probed: serving
            ollama.holdOnce("hold");
            List<Future<HttpResponse<String>>> waiting = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hold " + i + "\"}]}";
                waiting.add(callers.submit(() -> Http.post(cortex.url("/v1/chat/completions"), body)));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ollama.heldCalls() == requests);
            assertThat(Http.get(cortex.url("/metrics")).body())
                    .contains("cortex_http_chat_requests_in_flight " + requests + ".0");
            // and the two workers are free: a request that needs no provider call is served meanwhile
            assertThat(Http.post(cortex.url("/v1/chat/completions"), "{\"messages\":[]}")
                            .statusCode())
                    .isEqualTo(400);

            ollama.releaseHeld();
            for (Future<HttpResponse<String>> answer : waiting) {
                HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("done");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Http.get(cortex.url("/metrics"))
                    .body()
                    .contains("cortex_http_chat_requests_in_flight 0.0"));
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void pastTheRequestsAllowedInFlightAChatGetsAFast503AndTheOperatorEndpointsStillAnswer() {
        try (OllamaSimulator ollama = (OllamaSimulator) new OllamaSimulator().start();
                CortexServer cortex = CortexServer.start(Map.of(
                        "provider.ollama.base-url", ollama.baseUrl(),
                        "cortex.http.worker-pool-size", "2",
                        "cortex.http.max-queued-requests", "0"))) {
            ollama.reply("done");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.get(cortex.url("/api/health")).statusCode() == 200); // probed: serving
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (String prompt : List.of("hold one", "hold two")) {
                ollama.holdOnce("hold");
                String body = "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
                held.add(CompletableFuture.supplyAsync(() -> Http.post(cortex.url("/api/chat"), body)));
                int expected = held.size();
                await().atMost(Duration.ofSeconds(10)).until(() -> ollama.heldCalls() == expected);
            }
            long start = System.nanoTime();
            HttpResponse<String> refused = Http.post(cortex.url("/v1/chat/completions"), HELLO);
            long refusedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(refused.body()).contains("\"code\":\"overloaded\"");
            assertThat(refusedMs).as("refused at once, not queued").isLessThan(5_000);
            HttpResponse<String> health = Http.get(cortex.url("/api/health"));
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(Http.get(cortex.url("/metrics")).body()).contains("cortex_http_chat_requests_in_flight 2.0");

            ollama.releaseHeld();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertThat(f.join().statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Http.get(cortex.url("/metrics"))
                    .body()
                    .contains("cortex_http_chat_requests_in_flight 0.0"));
            assertThat(Http.post(cortex.url("/api/chat"), "{\"stream\":false," + HELLO.substring(1))
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void anIdleConnectionIsClosedButARequestWaitingOnAProviderIsNot() throws Exception {
        try (OllamaSimulator ollama = (OllamaSimulator) new OllamaSimulator().start();
                CortexServer cortex = CortexServer.start(Map.of(
                        "provider.ollama.base-url", ollama.baseUrl(), "cortex.http.idle-timeout-seconds", "1"))) {
            ollama.reply("late but whole");
            try (Socket idle = new Socket("127.0.0.1", cortex.port())) {
                send(idle, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
                idle.setSoTimeout(10_000);
                InputStream in = idle.getInputStream();
                long start = System.nanoTime();
                while (in.read() >= 0) {
                    // the health answer, then nothing until the server closes the unused connection
                }
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 9_000L);
            }

            // a client that announces a body and stalls is closed too: it holds no worker, but would hold the socket
            try (Socket stalling = new Socket("127.0.0.1", cortex.port())) {
                send(
                        stalling,
                        "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100\r\n\r\n{\"messages\":");
                stalling.setSoTimeout(10_000);
                long start = System.nanoTime();
                InputStream in = stalling.getInputStream();
                while (in.read() >= 0) {
                    // nothing comes until the server closes the stalled connection
                }
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 9_000L);
            }

            ollama.holdOnce("slow");
            String body = "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"slow one\"}]}";
            CompletableFuture<HttpResponse<String>> waiting =
                    CompletableFuture.supplyAsync(() -> Http.post(cortex.url("/api/chat"), body));
            await().atMost(Duration.ofSeconds(10)).until(() -> ollama.heldCalls() == 1);
            // three idle periods pass while the request waits on its provider
            await().pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(4))
                    .until(() -> !waiting.isDone());
            ollama.releaseHeld();
            HttpResponse<String> answer = waiting.join();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("late but whole");
        }
    }

    private static HttpRequest.Builder request(CortexServer cortex, String path) {
        return HttpRequest.newBuilder(URI.create(cortex.url(path))).timeout(Duration.ofSeconds(30));
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
