package dev.cortex.messaging;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.cortex.chat.Json;

/**
 * Two tiny provider stubs on one loopback HTTP server, enough to drive the chain from a queue: an Ollama
 * {@code POST /api/chat} that streams NDJSON (provider-protocols.md §5) and answers "answer to: {last user message}",
 * and a Groq {@code POST /chat/completions} that only ever says 429 with {@code retry-after}. Faults are set per test:
 * Ollama can fail with 503 for its next calls, answer slowly, or hold a request whose text contains "hold" until
 * released (once per text: its redelivery is answered).
 */
final class ProviderStubs implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final String name;

    // Ollama
    final AtomicInteger ollamaCalls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile long delayMillis;
    private final Set<String> heldOnce = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile CountDownLatch release = new CountDownLatch(1);
    private volatile String lastHeldModel;

    // Groq
    final AtomicInteger groqCalls = new AtomicInteger();
    private volatile int groqRetryAfterSeconds = 1;

    ProviderStubs(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/api/chat", this::ollamaChat);
        server.createContext("/chat/completions", this::groqChat);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Cortex settings: Groq (one key) first refuses with 429, Ollama answers. Their total timeouts are short, as the
     * stubs answer at once, so that a round of the chain at its worst (what a request waiting for a cooldown must
     * still have time for) is seconds, not minutes.
     */
    Map<String, String> settings() {
        return Map.of("provider.ollama.base-url", url(), "provider.groq.base-url", url(), "provider.groq.api-key", "gsk_test_key_1",
                "provider.groq.timeout.total-ms", "5000", "provider.ollama.timeout.total-ms", "5000");
    }

    void failNext(int calls) {
        failuresLeft.set(calls);
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    void groqRetryAfter(int seconds) {
        groqRetryAfterSeconds = seconds;
    }

    /** Waits until a request containing "hold" is being held. */
    boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    /** Lets held requests finish (their answer goes nowhere if their consumer is gone). */
    void releaseHeld() {
        release.countDown();
    }

    /** The model asked for in the request being held: it tells which gateway holds it. */
    String lastHeldModel() {
        return lastHeldModel;
    }

    int seen(String text) {
        AtomicInteger n = seen.get(text);
        return n == null ? 0 : n.get();
    }

    void reset() {
        release.countDown(); // a request still held by an earlier test finishes; the next test holds afresh
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
        failuresLeft.set(0);
        delayMillis = 0;
        maxInFlight.set(0);
        groqRetryAfterSeconds = 1;
    }

    private void ollamaChat(HttpExchange http) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            ollamaCalls.incrementAndGet();
            JsonNode request = Json.parse(http.getRequestBody().readAllBytes());
            JsonNode messages = request.path("messages");
            String text = messages.path(messages.size() - 1).path("content").asText();
            seen.computeIfAbsent(text, t -> new AtomicInteger()).incrementAndGet();
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(http, 503, "application/json", "{\"error\":\"server busy, please try again.\"}");
                return;
            }
            String model = request.path("model").asText("llama3.2");
            if (text.contains("hold") && heldOnce.add(text)) {
                lastHeldModel = model;
                held.countDown();
                release.await(60, TimeUnit.SECONDS);
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            StringBuilder ndjson = new StringBuilder();
            ndjson.append(line(model, "answer to: ", false)).append(line(model, text, false));
            ObjectNode last = (ObjectNode) Json.parse(line(model, "", true));
            last.put("done_reason", "stop").put("prompt_eval_count", 7).put("eval_count", 3).put("note", name);
            ndjson.append(Json.MAPPER.writeValueAsString(last)).append('\n');
            send(http, 200, "application/x-ndjson", ndjson.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            http.close();
        }
    }

    private static String line(String model, String content, boolean done) throws IOException {
        ObjectNode line = Json.object();
        line.put("model", model);
        line.put("created_at", "2025-01-01T00:00:00.000000Z");
        line.putObject("message").put("role", "assistant").put("content", content);
        line.put("done", done);
        return Json.MAPPER.writeValueAsString(line) + "\n";
    }

    private void groqChat(HttpExchange http) throws IOException {
        groqCalls.incrementAndGet();
        http.getRequestBody().readAllBytes();
        http.getResponseHeaders().add("retry-after", Integer.toString(groqRetryAfterSeconds));
        send(http, 429, "application/json", "{\"error\":{\"message\":\"Rate limit reached for model `llama-3.1-8b-instant` "
                + "on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in "
                + groqRetryAfterSeconds + "s.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
        http.close();
    }

    private static void send(HttpExchange http, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        http.getResponseHeaders().add("Content-Type", type);
        http.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
