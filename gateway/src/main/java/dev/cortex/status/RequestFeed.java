package dev.cortex.status;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The last requests, for the status page: a ring of the most recent summaries and the pages watching it live. Both are
 * bounded: the ring drops its oldest entry, and a page beyond the watcher limit is turned away. A watcher must take a
 * summary without blocking (the request path publishes); one that cannot keep up is expected to leave.
 */
public final class RequestFeed {

    /** A page watching the feed. */
    public interface Watcher {
        /** Takes the recent summaries, oldest first, as it starts watching; must not block. */
        void start(List<RequestSummary> recent);

        /** Takes one new summary; must not block. */
        void send(RequestSummary summary);
    }

    private final int capacity;
    private final int maxWatchers;
    private final ArrayDeque<RequestSummary> recent;
    /** Copy-on-write, so that a page leaves without the feed's lock: Vert.x may tell it closed while writing to it. */
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    public RequestFeed(int capacity, int maxWatchers) {
        this.capacity = capacity;
        this.maxWatchers = maxWatchers;
        this.recent = new ArrayDeque<>(capacity);
    }

    /**
     * Adds a summary and hands it to every watcher. Under the feed's lock, so that a page that starts watching gets
     * each summary exactly once: in its first batch or live. Watchers only queue it, so the lock is held briefly.
     */
    public synchronized void publish(RequestSummary summary) {
        if (recent.size() == capacity) {
            recent.removeFirst();
        }
        recent.addLast(summary);
        for (Watcher w : watchers) {
            w.send(summary);
        }
    }

    /**
     * Registers a watcher and hands it the recent summaries, under the lock, so that none is missed or sent twice.
     * False when as many pages as allowed watch already.
     */
    public synchronized boolean watch(Watcher watcher) {
        if (watchers.size() >= maxWatchers) {
            return false;
        }
        watcher.start(List.copyOf(recent));
        watchers.add(watcher); // only once started: a watcher whose start failed is not kept
        return true;
    }

    public void leave(Watcher watcher) {
        watchers.remove(watcher);
    }

    public synchronized List<RequestSummary> recent() {
        return List.copyOf(recent);
    }

    int watching() {
        return watchers.size();
    }
}
