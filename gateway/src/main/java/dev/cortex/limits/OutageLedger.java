package dev.cortex.limits;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Increments settles made while Redis was unreachable, added up per gateway key, Redis key and field (a usage
 * field is per provider and model), so that an outage owes at most one counter per key, day, provider and model.
 * Not thread-safe: the Redis store holds its lock around every use.
 */
final class OutageLedger {

    private static final Logger LOG = LoggerFactory.getLogger(OutageLedger.class);

    /** An outage of hours over many keys and models stays bounded: past this many counters, new ones are dropped. */
    static final int MAX_OWED = 100_000;

    final Map<String, Map<String, Map<String, Long>>> byKey = new LinkedHashMap<>();
    final Map<String, Long> ttls = new HashMap<>();
    private int counters;
    private boolean warnedFull;

    void add(String key, String redisKey, String field, long amount, long ttlSeconds) {
        Map<String, Long> fields =
                byKey.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(redisKey, k -> new HashMap<>());
        if (!fields.containsKey(field)) {
            if (counters >= MAX_OWED) {
                if (!warnedFull) {
                    warnedFull = true;
                    LOG.warn("Redis limit store unreachable for long: usage beyond {} counters is not kept", MAX_OWED);
                }
                return;
            }
            counters++;
        }
        fields.merge(field, amount, Long::sum);
        ttls.put(redisKey, ttlSeconds);
    }

    /** One gateway key's increments from a batch that could not be added: owed again. */
    void takeBack(OutageLedger batch, String key) {
        batch.byKey
                .get(key)
                .forEach((redisKey, fields) ->
                        fields.forEach((field, amount) -> add(key, redisKey, field, amount, batch.ttls.get(redisKey))));
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }
}
