package dev.cortex.limits;

/**
 * A limit store's answer to an {@link Ask}: admitted (with the reservation to settle later) or refused by one limit,
 * and in both cases where the key's per-minute limits stand, for the reply's {@code x-ratelimit-*} headers.
 *
 * @param reservation     what to settle when the request ends; null when refused
 * @param refusedBy       the limit that refused; null when admitted
 * @param retryAfterMillis when refused: how long until the same request could be admitted (a budget: until the day or
 *                        month ends); -1 when waiting cannot help (a request larger than the whole per-minute limit)
 */
public record Decision(
        Reservation reservation, LimitKind refusedBy, long retryAfterMillis, RateWindow requests, RateWindow tokens) {

    public static Decision admitted(Reservation reservation, RateWindow requests, RateWindow tokens) {
        return new Decision(reservation, null, 0, requests, tokens);
    }

    public static Decision refused(LimitKind by, long retryAfterMillis, RateWindow requests, RateWindow tokens) {
        return new Decision(null, by, retryAfterMillis, requests, tokens);
    }

    public boolean admitted() {
        return refusedBy == null;
    }
}
