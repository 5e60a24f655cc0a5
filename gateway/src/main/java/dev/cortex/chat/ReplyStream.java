package dev.cortex.chat;

import java.util.Map;

/**
 * Where a streamed answer goes once a provider has committed to it. The HTTP front doors implement it over the
 * client's connection; nothing is sent to the caller before {@link #commit}.
 */
public interface ReplyStream {

    /** The first content token has arrived: send the response head and the stream's opening. */
    void commit(ReplyHead head);

    void text(String text);

    /** A piece of a tool call, as {@link StreamListener#onToolCall} describes it. */
    void toolCall(int index, String id, String name, String argumentsFragment);

    /** The answer ended normally: send the closing events and end the response. */
    void complete(FinishReason reason, Usage usage);

    /** The provider failed after the commit point: end the stream with an explicit error, never as complete. */
    void fail(String code, String message);

    /** True while the client's connection has more queued than it has taken: the relay should pause the upstream. */
    boolean congested();

    /** Runs once the client's connection can take more. */
    void onDrain(Runnable action);

    /**
     * The client stopped taking what it is sent: drop its connection. It cannot be told in-band (it is not reading),
     * and a stream that ends without its end marker never looks complete.
     */
    void abandon();

    /**
     * What the response head says about how the answer was produced.
     *
     * @param route the route plan in words when the caller asked for it, else null
     */
    /** @param limitHeaders the caller's key's {@code x-ratelimit-*} headers; empty when its key has no such limits */
    record ReplyHead(
            String provider,
            String model,
            String attempts,
            String overheadMs,
            String route,
            Map<String, String> limitHeaders) {}
}
