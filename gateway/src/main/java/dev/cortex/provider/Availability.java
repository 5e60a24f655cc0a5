package dev.cortex.provider;

import java.time.Instant;

/**
 * Why a provider cannot be tried right now, without calling it.
 *
 * @param reason the word for the attempt trail and the route explanation ({@code disabled}, {@code breaker_open},
 *               {@code access_denied}, {@code cooling}, {@code no_valid_key}, {@code unhealthy})
 * @param until  when it may be usable again, if known
 * @param news   whether the caller should see it in the attempt trail (a provider with no keys is not news)
 */
public record Availability(String reason, Instant until, boolean news) {
}
