package dev.cortex.limits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The limit store of one Cortex on its own: the per-minute buckets in memory, the money spent and the usage accounts
 * in one MVStore file under {@code data/}, so that a budget spent before a restart stays spent. Writes reach the file
 * within a second (MVStore's auto-commit) and at a clean stop; a crash may lose the last second of accounts, never
 * more. Without a directory it keeps everything in memory (the local fallback of the Redis store).
 *
 * <p>Each key's decisions are taken under that key's own lock, so keys never wait for each other.
 */
public final class EmbeddedLimitStore implements LimitStore {

    private static final String FILE = "limits.mv.db";

    private final MVStore store;
    /** {@code d|<key>|<yyyy-mm-dd>} and {@code m|<key>|<yyyy-mm>} to micro-dollars spent (reservations included). */
    private final MVMap<String, Long> spend;
    /** {@code <yyyy-mm-dd>|<key>|<provider>|<model>} to {requests, input tokens, output tokens, micro-dollars}. */
    private final MVMap<String, long[]> usage;

    private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
    private final Object usageLock = new Object();
    private final int retentionDays;

    /**
     * @param dir           where the file lives ({@code data/limits}); null: in memory only
     * @param retentionDays usage accounts older than this many days are dropped at start
     */
    public EmbeddedLimitStore(Path dir, int retentionDays, Instant now) {
        this.retentionDays = retentionDays;
        MVStore.Builder builder = new MVStore.Builder(); // auto-commit: every second
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot create the limit store's directory " + dir + ": " + e, e);
            }
            builder.fileName(dir.resolve(FILE).toString());
        }
        try {
            this.store = builder.open();
        } catch (MVStoreException e) {
            throw new IllegalStateException(
                    "Cannot open the limit store " + dir.resolve(FILE)
                            + " (another Cortex using the same data directory holds it? Replicas share limits"
                            + " through Redis: CORTEX_REDIS_URL): " + e.getMessage(),
                    e);
        }
        this.spend = store.openMap("spend");
        this.usage = store.openMap("usage");
        forgetOld(now);
    }

    @Override
    public Decision admit(Ask ask, Instant now) {
        KeyLimits limits = ask.limits();
        long nowMillis = now.toEpochMilli();
        KeyState state = keys.computeIfAbsent(ask.key(), k -> new KeyState());
        synchronized (state) {
            TokenBucket requests = state.requests(limits.requestsPerMinute(), nowMillis);
            TokenBucket tokens = state.tokens(limits.tokensPerMinute(), nowMillis);
            RateWindow requestWindow = requests == null ? RateWindow.NONE : requests.window();
            RateWindow tokenWindow = tokens == null ? RateWindow.NONE : tokens.window();
            String dayKey = dayKey(ask.key(), Periods.day(now));
            String monthKey = monthKey(ask.key(), Periods.month(now));
            long cost = ask.costMicros();
            // budgets first: when a budget refuses, its wait (the rest of the day) is the one worth telling
            if (cost > 0 && over(limits.monthBudgetMicros(), spend.getOrDefault(monthKey, 0L), cost)) {
                return Decision.refused(
                        LimitKind.MONTH_BUDGET, Periods.millisToNextMonth(now), requestWindow, tokenWindow);
            }
            if (cost > 0 && over(limits.dayBudgetMicros(), spend.getOrDefault(dayKey, 0L), cost)) {
                return Decision.refused(LimitKind.DAY_BUDGET, Periods.millisToNextDay(now), requestWindow, tokenWindow);
            }
            if (tokens != null) {
                if (ask.tokens() > limits.tokensPerMinute()) {
                    return Decision.refused(LimitKind.TOKENS, -1, requestWindow, tokenWindow); // never fits
                }
                if (!tokens.holds(ask.tokens())) {
                    return Decision.refused(
                            LimitKind.TOKENS, tokens.millisUntil(ask.tokens()), requestWindow, tokenWindow);
                }
            }
            if (requests != null && !requests.holds(1)) {
                return Decision.refused(LimitKind.REQUESTS, requests.millisUntil(1), requestWindow, tokenWindow);
            }
            if (requests != null) {
                requests.take(1);
                requestWindow = requests.window();
            }
            if (tokens != null) {
                tokens.take(ask.tokens());
                tokenWindow = tokens.window();
            }
            if (cost > 0) {
                spend.merge(dayKey, cost, Long::sum);
                spend.merge(monthKey, cost, Long::sum);
            }
            return Decision.admitted(
                    new Reservation(ask.key(), limits, ask.tokens(), cost, now), requestWindow, tokenWindow);
        }
    }

    private static boolean over(long budget, long spent, long cost) {
        return budget != KeyLimits.NONE && spent + cost > budget;
    }

    @Override
    public void settle(Reservation reservation, Spend used, Instant now) {
        String key = reservation.key();
        KeyState state = keys.computeIfAbsent(key, k -> new KeyState());
        long costDelta = used.costMicros() - reservation.costMicros();
        synchronized (state) {
            TokenBucket tokens = state.tokens(reservation.limits().tokensPerMinute(), now.toEpochMilli());
            if (tokens != null) {
                tokens.adjust(reservation.tokens() - used.tokens());
            }
            if (costDelta != 0) {
                spend.merge(dayKey(key, Periods.day(reservation.at())), costDelta, Long::sum);
                spend.merge(monthKey(key, Periods.month(reservation.at())), costDelta, Long::sum);
            }
        }
        add(new UsageRow(
                Periods.day(reservation.at()),
                key,
                used.provider(),
                used.model(),
                1,
                used.inputTokens(),
                used.outputTokens(),
                used.costMicros()));
    }

    /** Adds a row to the usage accounts (also how the Redis store's fallback keeps what it owes Redis). */
    void add(UsageRow row) {
        String id = row.day() + "|" + row.key() + "|" + row.provider() + "|" + row.model();
        synchronized (usageLock) {
            long[] was = usage.get(id);
            long[] sum = was == null ? new long[4] : was.clone();
            sum[0] += row.requests();
            sum[1] += row.inputTokens();
            sum[2] += row.outputTokens();
            sum[3] += row.costMicros();
            usage.put(id, sum);
        }
    }

    @Override
    public List<UsageRow> usage(Collection<String> keyNames, LocalDate from, LocalDate to) {
        Set<String> wanted = new HashSet<>(keyNames);
        List<UsageRow> rows = new ArrayList<>();
        // ids start with the day, so the period is one range of the map
        for (var it = usage.cursor(from.toString()); it.hasNext(); ) {
            String id = it.next();
            String[] parts = id.split("\\|", 4);
            LocalDate day = LocalDate.parse(parts[0]);
            if (day.isAfter(to)) {
                break;
            }
            if (!wanted.contains(parts[1])) {
                continue;
            }
            long[] v = it.getValue();
            rows.add(new UsageRow(day, parts[1], parts[2], parts[3], v[0], v[1], v[2], v[3]));
        }
        rows.sort(Comparator.comparing(UsageRow::day).thenComparing(UsageRow::key));
        return rows;
    }

    @Override
    public Spent spent(String key, Instant now) {
        return new Spent(
                spend.getOrDefault(dayKey(key, Periods.day(now)), 0L),
                spend.getOrDefault(monthKey(key, Periods.month(now)), 0L));
    }

    @Override
    public String mode() {
        return "embedded";
    }

    @Override
    public boolean healthy() {
        return !store.isClosed();
    }

    @Override
    public void close() {
        if (!store.isClosed()) {
            store.close(); // commits what the last second wrote
        }
    }

    /** Spend of days and months no budget can ask about any more, and usage past its retention. */
    private void forgetOld(Instant now) {
        LocalDate today = Periods.day(now);
        String lastDay = today.minusDays(2).toString();
        String lastMonth = YearMonth.from(today).minusMonths(1).toString();
        List<String> stale = new ArrayList<>();
        for (String id : spend.keySet()) {
            String period = id.substring(id.lastIndexOf('|') + 1);
            if (id.startsWith("d|") ? period.compareTo(lastDay) < 0 : period.compareTo(lastMonth) < 0) {
                stale.add(id);
            }
        }
        stale.forEach(spend::remove);
        String keepFrom = today.minusDays(retentionDays).toString();
        List<String> old = new ArrayList<>();
        for (var it = usage.keyIterator(null); it.hasNext(); ) {
            String id = it.next();
            if (id.compareTo(keepFrom) >= 0) {
                break;
            }
            old.add(id);
        }
        old.forEach(usage::remove);
    }

    private static String dayKey(String key, LocalDate day) {
        return "d|" + key + "|" + day;
    }

    private static String monthKey(String key, YearMonth month) {
        return "m|" + key + "|" + month;
    }

    /** One key's per-minute buckets; created on first use, resized when its limits change. */
    private static final class KeyState {
        private TokenBucket requests;
        private TokenBucket tokens;

        TokenBucket requests(long limit, long nowMillis) {
            requests = bucket(requests, limit, nowMillis);
            return requests;
        }

        TokenBucket tokens(long limit, long nowMillis) {
            tokens = bucket(tokens, limit, nowMillis);
            return tokens;
        }

        private static TokenBucket bucket(TokenBucket bucket, long limit, long nowMillis) {
            if (limit == KeyLimits.NONE) {
                return null;
            }
            if (bucket == null) {
                return new TokenBucket(limit, nowMillis);
            }
            bucket.refill(limit, nowMillis);
            return bucket;
        }
    }
}
