package dev.cortex.provider;

import dev.cortex.chat.Usage;
import dev.cortex.routing.UpstreamError;

/** What one upstream call reports back to its provider while and after it runs (on the call's event loop). */
interface CallEvents {

    void firstToken(long millis);

    /**
     * A call that delivered (committed, or answered in full) has ended: normally ({@code error == null}) or broken
     * after its commit point. Runs exactly once per delivering call; calls that fail before their commit point report
     * through their outcome instead.
     */
    void ended(long totalMillis, Usage usage, UpstreamError error);
}
