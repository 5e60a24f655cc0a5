package dev.cortex.provider;

import java.time.Duration;

/**
 * The four clocks of one upstream call (docs/streaming.md), enforced by the adapter's HTTP client rather than by the
 * breaker, which must never start the next provider while this one still streams.
 *
 * @param connect    to open the TCP connection
 * @param firstToken from sending the request to the first content token (a silent upstream fails over within it)
 * @param idle       the longest gap between two chunks once the response has started
 * @param total      the whole call, stream included
 */
public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {

    /** The same clocks with another first-token timeout (the adaptive one of {@link FirstTokenTimeout}). */
    public Timeouts withFirstToken(Duration firstToken) {
        return firstToken.equals(this.firstToken) ? this : new Timeouts(connect, firstToken, idle, total);
    }
}
