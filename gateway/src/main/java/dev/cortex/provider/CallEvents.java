package dev.cortex.provider;

import dev.cortex.chat.Usage;
import dev.cortex.failure.UpstreamError;

/** What one upstream call reports back while and after it runs (on the call's event loop). */
interface CallEvents {

    /** How a call that delivered (committed its stream, or answered in full) ended. */
    enum End {
        /** The whole answer reached the caller. */
        COMPLETE,
        /** The provider failed after the commit point: the caller's stream ended with an explicit error. */
        BROKEN,
        /** The caller hung up mid-stream: the provider is not to blame. */
        CLIENT_GONE,
        /** The caller stopped taking what it was sent for longer than the client write timeout: dropped, its fault. */
        CLIENT_TOO_SLOW
    }

    void firstToken(long millis);

    /**
     * A call that delivered has ended. Runs exactly once per delivering call; calls that end before their commit
     * point report through their outcome instead.
     *
     * @param providerMillis time on the provider's clock (time paused for a slow caller left out)
     * @param error          what broke, for {@link End#BROKEN}; else null
     */
    void ended(End how, long providerMillis, Usage usage, UpstreamError error);
}
