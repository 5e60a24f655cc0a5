package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's API keys, handed out round-robin. A rate-limited key cools down until the provider said it may be
 * used again; a rejected key leaves the pool for good (logged once, masked). Thread-safe without locks on the hot
 * path: each key's state is one volatile field.
 */
public final class KeyPool {

    private static final Logger LOG = LoggerFactory.getLogger(KeyPool.class);

    private final String provider;
    private final List<Slot> slots;
    private final Clock clock;
    private final AtomicInteger next = new AtomicInteger();
    private volatile CooldownBoard board = CooldownBoard.NONE;

    public KeyPool(String provider, List<String> keys, Clock clock) {
        this.provider = provider;
        this.slots = keys.stream()
                .map(String::trim)
                .filter(k -> !k.isEmpty())
                .distinct()
                .map(Slot::new)
                .toList();
        this.clock = clock;
    }

    private KeyPool(String provider, Slot only) {
        this.provider = provider;
        this.slots = List.of(only);
        this.clock = Clock.systemUTC();
    }

    /** A pool for a provider that needs no key (Ollama): one empty key. */
    public static KeyPool keyless(String provider) {
        return new KeyPool(provider, new Slot(""));
    }

    public boolean isEmpty() {
        return slots.isEmpty();
    }

    /** The next usable key, or empty when every key is cooling down or dead. */
    public Optional<String> acquire() {
        return acquire(Set.of());
    }

    /** The next usable key other than those a request already tried, or empty. */
    public Optional<String> acquire(Set<String> tried) {
        Instant now = clock.instant();
        int n = slots.size();
        int start = Math.floorMod(next.getAndIncrement(), Math.max(n, 1));
        for (int i = 0; i < n; i++) {
            Slot s = slots.get((start + i) % n);
            if (s.usableAt(now) && !tried.contains(s.key)) {
                return Optional.of(s.key);
            }
        }
        return Optional.empty();
    }

    /** Whether a key other than those already tried is usable now. */
    public boolean hasUsable(Set<String> tried) {
        Instant now = clock.instant();
        for (Slot s : slots) {
            if (s.usableAt(now) && !tried.contains(s.key)) {
                return true;
            }
        }
        return false;
    }

    /** Every key back in rotation: an operator fixed the account, or a drill is over. */
    public void restore() {
        for (Slot s : slots) {
            s.coolUntil = Instant.MIN;
            s.dead = false;
        }
    }

    /** Tells every cooldown from here on to the other replicas too. */
    public void shareCooldowns(CooldownBoard board) {
        this.board = board;
    }

    public void coolDown(String key, Duration duration) {
        Slot s = slot(key);
        Instant until = clock.instant().plus(duration);
        s.coolUntil = until;
        board.cooled(provider, s.fingerprint, until);
    }

    /**
     * Another replica met a rate limit on the key with this fingerprint: it rests here too, until then. A key this
     * replica does not hold is no business of its own.
     */
    public void cooledElsewhere(String fingerprint, Instant until) {
        for (Slot s : slots) {
            if (s.fingerprint.equals(fingerprint) && until.isAfter(s.coolUntil)) {
                s.coolUntil = until;
            }
        }
    }

    public void drop(String key) {
        Slot s = slot(key);
        if (!s.dead) {
            s.dead = true;
            LOG.warn(
                    "{}: API key {} was rejected by the provider and is taken out of the pool",
                    provider,
                    ApiKeys.mask(key));
        }
    }

    /** When the first cooling key becomes usable again; empty if a key is usable now or none will ever be. */
    public Optional<Instant> earliestRecovery() {
        Instant now = clock.instant();
        Instant earliest = null;
        for (Slot s : slots) {
            if (s.dead) {
                continue;
            }
            if (s.usableAt(now)) {
                return Optional.empty();
            }
            if (earliest == null || s.coolUntil.isBefore(earliest)) {
                earliest = s.coolUntil;
            }
        }
        return Optional.ofNullable(earliest);
    }

    public Counts counts() {
        Instant now = clock.instant();
        int usable = 0, cooling = 0, dead = 0;
        for (Slot s : slots) {
            if (s.dead) {
                dead++;
            } else if (s.usableAt(now)) {
                usable++;
            } else {
                cooling++;
            }
        }
        return new Counts(usable, cooling, dead);
    }

    public record Counts(int usable, int cooling, int dead) {}

    private Slot slot(String key) {
        for (Slot s : slots) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a key of " + provider);
    }

    private static final class Slot {
        final String key;
        final String fingerprint;
        volatile Instant coolUntil = Instant.MIN;
        volatile boolean dead;

        Slot(String key) {
            this.key = key;
            this.fingerprint = ApiKeys.fingerprint(key);
        }

        boolean usableAt(Instant now) {
            return !dead && !coolUntil.isAfter(now);
        }
    }
}
