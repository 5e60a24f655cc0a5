package dev.cortex.sim;

import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * What a simulator saw: requests by path, chat requests (the latest thousand), per prompt, in flight, abandoned, and
 * the connections they came on (so that a test can tell how many calls shared one).
 */
final class Observations {

    /** The most recent chat requests (a benchmark sends millions: keeping all would slow every request down). */
    private static final int RECORDED = 1000;
    /** Distinct prompts counted (a benchmark's prompts are few; a flood of distinct ones must not fill the heap). */
    private static final int PROMPTS = 10_000;

    private final Deque<RecordedRequest> chats = new ConcurrentLinkedDeque<>();
    private final AtomicInteger chatCount = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    /** Open connections by their remote address: an h2c upgrade turns one into HTTP/2 without a new socket. */
    private final Set<String> connections = ConcurrentHashMap.newKeySet();

    private final AtomicInteger maxConnections = new AtomicInteger();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final Map<String, AtomicInteger> paths = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> prompts = new ConcurrentHashMap<>();

    /** A connection was accepted: it counts as open until it closes. */
    void connected(HttpConnection connection) {
        String remote = String.valueOf(connection.remoteAddress());
        if (connections.add(remote)) {
            connectionsOpened.incrementAndGet();
            maxConnections.accumulateAndGet(connections.size(), Math::max);
        }
        connection.closeHandler(v -> connections.remove(remote));
    }

    void path(String path) {
        paths.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    }

    /** A chat request arrived: it is recorded and in flight until its response ends or its caller hangs up. */
    void chat(RecordedRequest request, String prompt, HttpServerResponse response) {
        chats.addLast(request);
        chatCount.incrementAndGet();
        if (chats.size() > RECORDED) {
            chats.pollFirst();
        }
        if (prompt != null && (prompts.size() < PROMPTS || prompts.containsKey(prompt))) {
            prompts.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
        }
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        AtomicBoolean over = new AtomicBoolean();
        response.endHandler(v -> {
            if (over.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        });
        response.closeHandler(v -> {
            if (!response.ended()) {
                abandoned.incrementAndGet();
            }
            if (over.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        });
    }

    /** A caller hung up before the last bytes of its answer were written. */
    void abandoned() {
        abandoned.incrementAndGet();
    }

    void reset() {
        chats.clear();
        chatCount.set(0);
        abandoned.set(0);
        maxInFlight.set(0);
        maxConnections.set(connections.size());
        connectionsOpened.set(0);
        paths.clear();
        prompts.clear();
    }

    int chatCalls() {
        return chatCount.get();
    }

    int chatCalls(String prompt) {
        AtomicInteger n = prompts.get(prompt);
        return n == null ? 0 : n.get();
    }

    int abandonedCalls() {
        return abandoned.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int openConnections() {
        return connections.size();
    }

    int maxConnections() {
        return maxConnections.get();
    }

    int connectionsOpened() {
        return connectionsOpened.get();
    }

    List<RecordedRequest> chatRequests() {
        return List.copyOf(chats);
    }

    RecordedRequest lastChatRequest() {
        return chats.peekLast();
    }

    int requests(String pathPrefix) {
        return paths.entrySet().stream()
                .filter(e -> e.getKey().startsWith(pathPrefix))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }
}
