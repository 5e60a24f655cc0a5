package dev.cortex.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;


/**
 * A local stand-in for an LLM provider, speaking its wire format on loopback: for tests, fault drills, the demo and
 * benchmarks. It answers with a configurable text, one word per stream chunk, paced by timers (no thread per
 * stream), and plays back faults: error statuses with the provider's bodies and rate-limit signals, silence, stalls,
 * cuts, in-stream errors, malformed chunks. It records what it received. Each subclass holds only its provider's
 * wire format; all of the above lives here.
 */
public abstract class ProviderSimulator implements AutoCloseable {

    private static volatile Vertx shared;

    private final Vertx vertx = sharedVertx();
    private HttpServer server;
    /** The most recent chat requests (a benchmark sends millions: keeping all would slow every request down). */
    private static final int RECORDED = 1000;
    private final Deque<RecordedRequest> chats = new ConcurrentLinkedDeque<>();
    private final AtomicInteger chatCount = new AtomicInteger();
    private final AtomicInteger abandonedCount = new AtomicInteger();
    private final Map<String, AtomicInteger> paths = new ConcurrentHashMap<>();
    private final Deque<Fault> onceFaults = new ConcurrentLinkedDeque<>();
    private volatile Fault fault;
    private volatile String reply;
    private volatile Duration firstTokenDelay;
    private volatile Duration chunkGap;
    private volatile Set<String> acceptedKeys;
    private final Map<String, Profile> profiles = new ConcurrentHashMap<>();

    /**
     * How a simulator answers requests for one model name: its own pacing, text and fault. Lets one simulator (and
     * one gateway in front of it) serve several benchmark or drill cases side by side, chosen by the model asked for.
     */
    public record Profile(Duration firstTokenDelay, Duration chunkGap, String reply, Fault fault) {

        /** {@code name:firstTokenMs:chunkGapMs:words[:fault]}, e.g. {@code bench-long:0:500:20} or {@code bench-429:0:0:4:429:0}. */
        public static Map.Entry<String, Profile> parse(String spec) {
            String[] p = spec.split(":", 5);
            int words = Integer.parseInt(p[3]);
            StringBuilder text = new StringBuilder();
            for (int i = 1; i <= words; i++) {
                text.append(i == 1 ? "" : " ").append("word").append(i);
            }
            return Map.entry(p[0], new Profile(Duration.ofMillis(Long.parseLong(p[1])), Duration.ofMillis(Long.parseLong(p[2])),
                    text.toString(), p.length > 4 ? Fault.parse(p[4]) : null));
        }
    }

    protected ProviderSimulator() {
        reset();
    }

    private static Vertx sharedVertx() {
        if (shared == null) {
            synchronized (ProviderSimulator.class) {
                if (shared == null) {
                    shared = Vertx.vertx();
                }
            }
        }
        return shared;
    }

    public ProviderSimulator start() {
        return start(0);
    }

    public ProviderSimulator start(int port) {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(this::accept);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name() + " simulator could not listen on " + port, e);
        }
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** What a user puts in {@code <PROVIDER>_BASE_URL}. */
    public abstract String baseUrl();

    /** The provider's name, for logs and banners. */
    public abstract String name();

    /** Stops listening and closes every connection, before returning. */
    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(name() + " simulator did not close", e);
            }
        }
    }

    // ---- behaviour ----

    public ProviderSimulator reply(String text) {
        this.reply = text;
        return this;
    }

    public ProviderSimulator firstTokenDelay(Duration delay) {
        this.firstTokenDelay = delay;
        return this;
    }

    public ProviderSimulator chunkGap(Duration gap) {
        this.chunkGap = gap;
        return this;
    }

    /** Every chat request gets this fault until {@link #clearFaults()} or {@link #reset()}. */
    public ProviderSimulator fault(Fault f) {
        this.fault = f;
        return this;
    }

    /** The next chat request only (several calls queue several). */
    public ProviderSimulator faultOnce(Fault f) {
        onceFaults.add(f);
        return this;
    }

    public ProviderSimulator clearFaults() {
        fault = null;
        onceFaults.clear();
        return this;
    }

    /** Only these keys are valid; others get the provider's invalid-key error. */
    public ProviderSimulator acceptKeys(String... keys) {
        acceptedKeys = Set.of(keys);
        return this;
    }

    /** Requests for {@code model} are answered as {@code profile} says (the model is then one this provider serves). */
    public ProviderSimulator profile(String model, Profile profile) {
        profiles.put(model, profile);
        return this;
    }

    /** Whether requests for this model follow a profile (a simulator accepts such models as its own). */
    protected boolean profiled(String model) {
        return profiles.containsKey(model);
    }

    public ProviderSimulator reset() {
        clearFaults();
        profiles.clear();
        reply = "Hello from the simulator";
        firstTokenDelay = Duration.ZERO;
        chunkGap = Duration.ZERO;
        acceptedKeys = null;
        chats.clear();
        chatCount.set(0);
        abandonedCount.set(0);
        paths.clear();
        return this;
    }

    /** The text the simulator answers with now. */
    protected final String replyText() {
        return reply;
    }

    // ---- observation ----

    public int chatCalls() {
        return chatCount.get();
    }

    /** Chat calls whose caller closed the connection before the answer was over (a gateway that stopped listening). */
    public int abandonedCalls() {
        return abandonedCount.get();
    }

    /** The chat requests received, in arrival order (the most recent thousand). */
    public List<RecordedRequest> chatRequests() {
        return List.copyOf(chats);
    }

    public RecordedRequest lastChatRequest() {
        return chats.peekLast();
    }

    public int requests(String pathPrefix) {
        return paths.entrySet().stream().filter(e -> e.getKey().startsWith(pathPrefix))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    // ---- serving ----

    private void accept(HttpServerRequest request) {
        if (request.path().equals("/_sim/stats")) { // the simulator's own counters, for drills and benchmarks
            sendJson(request.response(), 200, Map.of("provider", name(), "chat_calls", chatCalls()));
            return;
        }
        paths.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
        request.body().onSuccess(body -> {
            try {
                handle(request, body);
            } catch (RuntimeException e) {
                if (!request.response().headWritten()) {
                    request.response().setStatusCode(500).end("simulator error: " + e);
                }
            }
        });
    }

    /** Routes one request by path; chat requests go to {@link #playChat}. */
    protected abstract void handle(HttpServerRequest request, Buffer body);

    /** The key a request carries the provider's way, or null. */
    protected abstract String apiKey(HttpServerRequest request);

    /** The key of an {@code Authorization: Bearer} header, or null. */
    protected static String bearer(HttpServerRequest request) {
        String auth = request.getHeader("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    }

    /** Whether this provider requires a key at all (Ollama does not). */
    protected boolean needsKey() {
        return true;
    }

    protected static JsonNode json(Buffer body) {
        try {
            return body.length() == 0 ? Json.object() : Json.parse(body.getBytes());
        } catch (Exception e) {
            return null;
        }
    }

    protected static void sendJson(HttpServerResponse response, int status, Object body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body instanceof String s ? s : new String(Json.bytes(Json.MAPPER.valueToTree(body))));
    }

    /** Whitespace words: the simulator's deterministic token count. */
    protected static int words(String text) {
        return text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }

    /**
     * Plays one chat answer: records the request, checks the key, applies the next fault, and streams (or sends whole)
     * the reply in the provider's wire format.
     */
    protected final void playChat(HttpServerRequest request, JsonNode body, boolean stream, String model,
                                  int promptTokens, ChatWire wire) {
        String key = apiKey(request);
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        chats.addLast(new RecordedRequest(request.method().name(), request.path(), request.query(), headers, body, key, stream));
        chatCount.incrementAndGet();
        if (chats.size() > RECORDED) {
            chats.pollFirst();
        }
        HttpServerResponse response = request.response();
        response.closeHandler(v -> {
            if (!response.ended()) {
                abandonedCount.incrementAndGet();
            }
        });
        Profile profile = profiles.get(model);
        Fault f = profile != null && profile.fault() != null ? profile.fault() : nextFault(request);
        if (needsKey() && (key == null || key.isBlank() || (acceptedKeys != null && !acceptedKeys.contains(key)))) {
            f = new Fault.InvalidKey();
        }
        if (f instanceof Fault.Status || f instanceof Fault.RateLimited || f instanceof Fault.QuotaExhausted
                || f instanceof Fault.InvalidKey || f instanceof Fault.ModelNotFound) {
            wire.refuse(response, f);
            return;
        }
        if (f instanceof Fault.Silence) {
            vertx.setTimer(300_000, t -> request.connection().close());
            return;
        }
        String text = f instanceof Fault.EmptyAnswer ? "" : profile != null ? profile.reply() : reply;
        String finish = f instanceof Fault.EmptyAnswer e ? e.finishReason() : "stop";
        ChatWire.Answer answer = new ChatWire.Answer(UUID.randomUUID().toString(), model, text, promptTokens, words(text),
                finish, body);
        if (!stream) {
            if (f instanceof Fault.CutAfter || f instanceof Fault.StallAfter) {
                if (f instanceof Fault.CutAfter) {
                    request.connection().close();
                }
                return;
            }
            if (f instanceof Fault.ErrorEventAfter) {
                wire.refuse(response, new Fault.Status(500));
                return;
            }
            Duration wait = profile != null ? profile.firstTokenDelay() : firstTokenDelay;
            later(wait.toMillis(), () -> {
                if (!response.closed()) {
                    wire.complete(response, answer);
                }
            });
            return;
        }
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", wire.streamContentType())
                .putHeader("Cache-Control", "no-cache");
        String opening = wire.open(answer);
        if (!opening.isEmpty()) {
            response.write(opening);
        } else {
            response.writeHead();
        }
        List<String> chunks = chunks(text);
        long gap = (profile != null ? profile.chunkGap() : chunkGap).toMillis();
        long first = (profile != null ? profile.firstTokenDelay() : firstTokenDelay).toMillis();
        Fault playing = f;
        later(first, () -> emit(request, wire, answer, chunks, 0, gap, playing));
    }

    private void emit(HttpServerRequest request, ChatWire wire, ChatWire.Answer answer, List<String> chunks, int index,
                      long gap, Fault f) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (f instanceof Fault.CutAfter c && index == c.chunks()) {
            request.connection().close();
            return;
        }
        if (f instanceof Fault.StallAfter s && index == s.chunks()) {
            vertx.setTimer(300_000, t -> request.connection().close());
            return;
        }
        if (f instanceof Fault.ErrorEventAfter e && index == e.chunks()) {
            response.end(wire.inStreamError("The simulated " + name() + " failed mid-stream"));
            return;
        }
        if (f instanceof Fault.MalformedChunkAfter m && index == m.chunks()) {
            response.write(wire.malformed());
        }
        if (index == chunks.size()) {
            // the answer has left only once its last bytes were written; a caller that hung up first never got it
            response.end(wire.close(answer)).onFailure(e -> abandonedCount.incrementAndGet());
            return;
        }
        response.write(wire.chunk(answer, chunks.get(index), index));
        if (gap <= 0) {
            emit(request, wire, answer, chunks, index + 1, gap, f);
        } else {
            vertx.setTimer(gap, t -> emit(request, wire, answer, chunks, index + 1, gap, f));
        }
    }

    /** "one two three" → "one", " two", " three". */
    static List<String> chunks(String text) {
        List<String> out = new ArrayList<>();
        String[] words = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            out.add(i == 0 ? words[i] : " " + words[i]);
        }
        return out;
    }

    private Fault nextFault(HttpServerRequest request) {
        String header = request.getHeader("X-Sim-Fault");
        if (header != null && !header.isBlank()) {
            return Fault.parse(header);
        }
        Fault once = onceFaults.poll();
        return once != null ? once : fault;
    }

    /** Runs {@code action} after {@code millis} on the simulator's event loop (at once when not positive). */
    protected final void later(long millis, Runnable action) {
        if (millis <= 0) {
            action.run();
        } else {
            vertx.setTimer(millis, t -> action.run());
        }
    }

    /** Seconds as the providers write them in messages: "6.5s". */
    protected static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
    }
}
