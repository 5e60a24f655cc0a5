package dev.cortex.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limit store every replica of Cortex shares, in Redis: the semantics of {@link EmbeddedLimitStore}, with each
 * admit and each settle one Lua script (one round trip, atomic, so replicas never both take a key's last request).
 *
 * <p>Keys carry the gateway key's name as a hash tag, so that everything one script touches is in one slot of a Redis
 * Cluster: {@code <prefix>{<key>}:rate} (its per-minute buckets), {@code <prefix>{<key>}:spend:d:<yyyy-mm-dd>} and
 * {@code :spend:m:<yyyy-mm>} (micro-dollars spent, reservations included), {@code <prefix>{<key>}:usage:<yyyy-mm-dd>}
 * (a hash of {@code <provider>|<model>|req|in|out|cost}).
 *
 * <p>A request never hangs on Redis: every call waits at most the timeout. When Redis fails (refused, timed out, an
 * error) the store turns unhealthy, says so once in the log, and decides by its {@link WhenUnreachable} fallback
 * without trying Redis again per request; a check every second notices Redis is back. What settles add meanwhile
 * (usage, spend) is kept, added up per key, day, provider and model, and added to Redis when it answers again.
 *
 * <p>Its methods block (they are called on worker threads, which wait for the answer); on a Vert.x event-loop thread
 * they refuse at once rather than block the loop the Redis client itself runs on.
 */
public final class RedisLimitStore implements LimitStore {

    /** What decides while Redis cannot be reached. */
    public enum WhenUnreachable {
        /** An in-memory store in this replica: each replica enforces the limits alone (the default). */
        LOCAL("local limits"),
        /** Everything is admitted: availability over limits. */
        ALLOW("everything allowed"),
        /** Every request is refused ({@link LimitStoreUnavailableException}: the front door answers 503). */
        REFUSE("everything refused");

        private final String words;

        WhenUnreachable(String words) {
            this.words = words;
        }
    }

    public static final String DEFAULT_PREFIX = "cortex:";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);

    private static final Logger LOG = LoggerFactory.getLogger(RedisLimitStore.class);
    private static final long CHECK_EVERY_MILLIS = 1_000;
    private static final long DAY_SPEND_TTL_SECONDS = Duration.ofDays(3).toSeconds();
    private static final long MONTH_SPEND_TTL_SECONDS = Duration.ofDays(40).toSeconds();
    private static final long RATE_TTL_MILLIS = Duration.ofMinutes(5).toMillis();
    /** How many usage and spend counters an outage may owe Redis; beyond it new ones are dropped (and said so). */
    /** Per this many HGETALLs of a usage query, one more timeout of waiting: a year of many keys is a long answer. */
    private static final int READS_PER_TIMEOUT = 500;

    private static final Script ADMIT = Script.load("bucket.lua", "admit.lua");
    private static final Script SETTLE = Script.load("bucket.lua", "settle.lua");
    private static final Script REPLAY = Script.load("replay.lua");

    private final Vertx vertx;
    private final Redis redis;
    private final String prefix;
    private final long timeoutMillis;
    private final WhenUnreachable whenUnreachable;
    private final long usageTtlSeconds;
    private final EmbeddedLimitStore local;
    private final long timer;

    /**
     * Reservations Redis never saw (admitted by the fallback), with how many of each: settled, they add all they used
     * rather than correct an estimate. Records compare by value; two such reservations equal in every field are
     * interchangeable.
     */
    private final Map<Reservation, Integer> unreserved = new ConcurrentHashMap<>();

    /** Guards {@link #owed} and the turn from unhealthy to healthy, so that no settle's increments fall between. */
    private final Object owedLock = new Object();

    private OutageLedger owed = new OutageLedger();
    private volatile boolean healthy = true;
    private volatile boolean checking;
    private volatile boolean closed;

    /** A store on {@code redisUrl} with the default prefix, a 250 ms timeout and local limits while unreachable. */
    public RedisLimitStore(Vertx vertx, String redisUrl, int retentionDays) {
        this(vertx, redisUrl, DEFAULT_PREFIX, DEFAULT_TIMEOUT, WhenUnreachable.LOCAL, retentionDays);
    }

    /**
     * @param redisUrl        {@code redis://[:password@]host:port[/db]} (never logged: it may hold a password)
     * @param keyPrefix       put before every Redis key ({@code cortex:})
     * @param timeout         the longest any call waits for Redis
     * @param retentionDays   how long usage accounts are kept
     */
    public RedisLimitStore(
            Vertx vertx,
            String redisUrl,
            String keyPrefix,
            Duration timeout,
            WhenUnreachable whenUnreachable,
            int retentionDays) {
        this.vertx = vertx;
        this.prefix = keyPrefix;
        this.timeoutMillis = timeout.toMillis();
        this.whenUnreachable = whenUnreachable;
        this.usageTtlSeconds = Duration.ofDays(retentionDays + 2L).toSeconds();
        this.local = new EmbeddedLimitStore(null, retentionDays, Instant.now());
        RedisOptions options = new RedisOptions()
                .setConnectionString(redisUrl)
                .setMaxPoolSize(16)
                // worker threads wait here when all connections are busy; a full queue would fail them as if Redis
                // were down
                .setMaxPoolWaiting(4096)
                .setMaxWaitingHandlers(4096);
        options.getNetClientOptions().setConnectTimeout((int) Math.max(1, timeoutMillis));
        this.redis = Redis.createClient(vertx, options);
        this.timer = vertx.setPeriodic(CHECK_EVERY_MILLIS, id -> check());
    }

    @Override
    public Decision admit(Ask ask, Instant now) {
        notOnEventLoop();
        if (healthy) {
            KeyLimits limits = ask.limits();
            String key = ask.key();
            List<String> keys = List.of(rateKey(key), dayKey(key, Periods.day(now)), monthKey(key, Periods.month(now)));
            List<Object> args = List.of(
                    now.toEpochMilli(),
                    limits.requestsPerMinute(),
                    limits.tokensPerMinute(),
                    limits.dayBudgetMicros(),
                    limits.monthBudgetMicros(),
                    ask.tokens(),
                    ask.costMicros(),
                    Periods.millisToNextDay(now),
                    Periods.millisToNextMonth(now),
                    DAY_SPEND_TTL_SECONDS,
                    MONTH_SPEND_TTL_SECONDS,
                    RATE_TTL_MILLIS);
            try {
                Response r = await(eval(ADMIT, keys, args), timeoutMillis);
                RateWindow requests = window(r, 3);
                RateWindow tokens = window(r, 6);
                if (r.get(0).toLong() == 1) {
                    return Decision.admitted(
                            new Reservation(key, limits, ask.tokens(), ask.costMicros(), now), requests, tokens);
                }
                return Decision.refused(
                        refusedBy(r.get(1).toInteger()), r.get(2).toLong(), requests, tokens);
            } catch (Unreachable e) {
                down(e);
            }
        }
        return fallbackAdmit(ask, now);
    }

    private Decision fallbackAdmit(Ask ask, Instant now) {
        Decision decision;
        switch (whenUnreachable) {
            case LOCAL -> decision = local.admit(ask, now);
            case ALLOW -> decision = Decision.admitted(
                    new Reservation(ask.key(), ask.limits(), ask.tokens(), ask.costMicros(), now),
                    RateWindow.NONE,
                    RateWindow.NONE);
            default -> throw unavailable();
        }
        if (decision.admitted()) {
            unreserved.merge(decision.reservation(), 1, Integer::sum);
        }
        return decision;
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void settle(Reservation reservation, Spend used, Instant now) {
        notOnEventLoop();
        boolean inRedis = !forgetUnreserved(reservation);
        long reservedTokens = inRedis ? reservation.tokens() : 0;
        long costDelta = used.costMicros() - (inRedis ? reservation.costMicros() : 0);
        if (!inRedis && whenUnreachable == WhenUnreachable.LOCAL) {
            local.settle(reservation, used, now); // its buckets gave the tokens: they take back what was not used
        }
        String key = reservation.key();
        LocalDate day = Periods.day(reservation.at());
        YearMonth month = Periods.month(reservation.at());
        String field = used.provider() + "|" + used.model() + "|";
        // Tried again only when Redis came back between a failure here and keeping the increments for later
        while (true) {
            if (healthy) {
                List<String> keys = List.of(rateKey(key), dayKey(key, day), monthKey(key, month), usageKey(key, day));
                List<Object> args = List.of(
                        now.toEpochMilli(),
                        reservation.limits().tokensPerMinute(),
                        reservedTokens - used.tokens(),
                        costDelta,
                        field,
                        used.inputTokens(),
                        used.outputTokens(),
                        used.costMicros(),
                        DAY_SPEND_TTL_SECONDS,
                        MONTH_SPEND_TTL_SECONDS,
                        usageTtlSeconds,
                        RATE_TTL_MILLIS);
                try {
                    await(eval(SETTLE, keys, args), timeoutMillis);
                    return;
                } catch (Unreachable e) {
                    down(e);
                }
            }
            synchronized (owedLock) {
                if (!healthy) {
                    if (costDelta != 0) {
                        owed.add(key, dayKey(key, day), "", costDelta, DAY_SPEND_TTL_SECONDS);
                        owed.add(key, monthKey(key, month), "", costDelta, MONTH_SPEND_TTL_SECONDS);
                    }
                    String usage = usageKey(key, day);
                    owed.add(key, usage, field + "req", 1, usageTtlSeconds);
                    owed.add(key, usage, field + "in", used.inputTokens(), usageTtlSeconds);
                    owed.add(key, usage, field + "out", used.outputTokens(), usageTtlSeconds);
                    owed.add(key, usage, field + "cost", used.costMicros(), usageTtlSeconds);
                    return;
                }
            }
        }
    }

    private boolean forgetUnreserved(Reservation reservation) {
        boolean[] found = {false};
        unreserved.computeIfPresent(reservation, (r, n) -> {
            found[0] = true;
            return n == 1 ? null : n - 1;
        });
        return found[0];
    }

    /**
     * @throws LimitStoreUnavailableException while Redis is unreachable: the accounts live there, and a part of them
     *                                        would be a wrong answer
     */
    @Override
    public List<UsageRow> usage(Collection<String> keyNames, LocalDate from, LocalDate to) {
        notOnEventLoop();
        if (!healthy) {
            throw unavailable();
        }
        List<String> names = new ArrayList<>(keyNames);
        List<LocalDate> days = from.datesUntil(to.plusDays(1)).toList();
        List<Future<Response>> reads = new ArrayList<>();
        for (String name : names) {
            for (LocalDate day : days) {
                reads.add(redis.send(Request.cmd(Command.HGETALL).arg(usageKey(name, day))));
            }
        }
        try {
            await(Future.all(reads), timeoutMillis * (1 + reads.size() / READS_PER_TIMEOUT));
        } catch (Unreachable e) {
            down(e);
            throw unavailable();
        }
        List<UsageRow> rows = new ArrayList<>();
        int i = 0;
        for (String name : names) {
            for (LocalDate day : days) {
                rows.addAll(rows(day, name, reads.get(i++).result()));
            }
        }
        rows.sort(Comparator.comparing(UsageRow::day).thenComparing(UsageRow::key));
        return rows;
    }

    /** A usage hash's fields, {@code <provider>|<model>|<what>}, as one row per provider and model. */
    private static List<UsageRow> rows(LocalDate day, String key, Response hash) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        if (hash != null) {
            for (String field : hash.getKeys()) {
                int what = field.lastIndexOf('|');
                long[] sum = sums.computeIfAbsent(field.substring(0, what), f -> new long[4]);
                long value = hash.get(field).toLong();
                switch (field.substring(what + 1)) {
                    case "req" -> sum[0] += value;
                    case "in" -> sum[1] += value;
                    case "out" -> sum[2] += value;
                    case "cost" -> sum[3] += value;
                    default -> {} // a field a later version writes: not this version's business
                }
            }
        }
        List<UsageRow> rows = new ArrayList<>();
        sums.forEach((providerModel, v) -> {
            int bar = providerModel.indexOf('|'); // provider names have no bar; a model's name might
            rows.add(new UsageRow(
                    day,
                    key,
                    providerModel.substring(0, bar),
                    providerModel.substring(bar + 1),
                    v[0],
                    v[1],
                    v[2],
                    v[3]));
        });
        rows.sort(Comparator.comparing(UsageRow::provider).thenComparing(UsageRow::model));
        return rows;
    }

    /**
     * While Redis is unreachable: with {@link WhenUnreachable#LOCAL} what the local store counted meanwhile, otherwise
     * a {@link LimitStoreUnavailableException}.
     */
    @Override
    public Spent spent(String key, Instant now) {
        notOnEventLoop();
        if (healthy) {
            Request mget =
                    Request.cmd(Command.MGET).arg(dayKey(key, Periods.day(now))).arg(monthKey(key, Periods.month(now)));
            try {
                Response r = await(redis.send(mget), timeoutMillis);
                return new Spent(orZero(r.get(0)), orZero(r.get(1)));
            } catch (Unreachable e) {
                down(e);
            }
        }
        if (whenUnreachable == WhenUnreachable.LOCAL) {
            return local.spent(key, now);
        }
        throw unavailable();
    }

    private static long orZero(Response r) {
        return r == null ? 0 : r.toLong();
    }

    @Override
    public String mode() {
        return healthy ? "redis" : "redis (unreachable: " + whenUnreachable.words + ")";
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        redis.close();
        local.close();
    }

    // ---- health -------------------------------------------------------------------------------------------------

    private void down(Unreachable e) {
        synchronized (owedLock) {
            if (!healthy) {
                return;
            }
            healthy = false;
        }
        // once per outage; the cause names the address at most, never the URL (it may hold a password)
        LOG.warn(
                "Redis limit store unreachable ({}): {} until it answers again; checking every {} ms",
                e.getMessage(),
                whenUnreachable.words,
                CHECK_EVERY_MILLIS);
    }

    /** On the event loop, every second: while unhealthy, a PING; when it answers, what is owed, then healthy. */
    private void check() {
        if (healthy || checking || closed) {
            return;
        }
        checking = true;
        redis.send(Request.cmd(Command.PING))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .compose(pong -> repay())
                .onComplete(done -> {
                    checking = false;
                    if (done.succeeded() && healthy) {
                        LOG.info("Redis limit store reachable again: limits shared again");
                    }
                });
    }

    /**
     * Adds what settles owed Redis, one gateway key per script, and turns healthy once nothing is left; a key whose
     * script failed is owed again (the script runs whole or not at all, so nothing counts twice), and the store stays
     * unhealthy until the next check.
     */
    private Future<Void> repay() {
        OutageLedger batch;
        synchronized (owedLock) {
            if (owed.isEmpty()) {
                healthy = true;
                return Future.succeededFuture();
            }
            batch = owed;
            owed = new OutageLedger();
        }
        List<Future<Response>> sent = new ArrayList<>();
        List<String> sentKeys = new ArrayList<>();
        batch.byKey.forEach((key, counters) -> {
            List<String> keys = new ArrayList<>(counters.keySet());
            List<Object> args = new ArrayList<>();
            for (String k : keys) {
                args.add(batch.ttls.get(k));
            }
            for (int i = 0; i < keys.size(); i++) {
                for (Map.Entry<String, Long> f : counters.get(keys.get(i)).entrySet()) {
                    args.add(i + 1);
                    args.add(f.getKey());
                    args.add(f.getValue());
                }
            }
            sent.add(eval(REPLAY, keys, args).timeout(timeoutMillis * 4, TimeUnit.MILLISECONDS));
            sentKeys.add(key);
        });
        return Future.join(sent).transform(all -> {
            boolean failed = false;
            synchronized (owedLock) {
                for (int i = 0; i < sent.size(); i++) {
                    if (sent.get(i).failed()) {
                        failed = true;
                        owed.takeBack(batch, sentKeys.get(i));
                    }
                }
            }
            return failed ? Future.failedFuture("owed increments not all added") : repay();
        });
    }

    private void notOnEventLoop() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException(
                    "the Redis limit store blocks for its answer: call it on a worker thread, not on an event loop");
        }
    }

    private LimitStoreUnavailableException unavailable() {
        return new LimitStoreUnavailableException("the shared limit store (Redis) cannot be reached");
    }

    // ---- Redis --------------------------------------------------------------------------------------------------

    /** EVALSHA, and EVAL (which caches it again) when Redis lost the script: a restart, a SCRIPT FLUSH. */
    private Future<Response> eval(Script script, List<String> keys, List<Object> args) {
        return redis.send(script.request(Command.EVALSHA, script.sha, keys, args))
                .recover(e -> {
                    String message = e.getMessage();
                    if (message != null && message.startsWith("NOSCRIPT")) {
                        return redis.send(script.request(Command.EVAL, script.source, keys, args));
                    }
                    return Future.failedFuture(e);
                });
    }

    private static <T> T await(Future<T> future, long timeoutMillis) throws Unreachable {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Unreachable("no answer within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw new Unreachable(String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while waiting");
        }
    }

    private static RateWindow window(Response r, int at) {
        long limit = r.get(at).toLong();
        return limit == KeyLimits.NONE
                ? RateWindow.NONE
                : new RateWindow(limit, r.get(at + 1).toLong(), r.get(at + 2).toLong());
    }

    private static LimitKind refusedBy(int code) {
        return switch (code) {
            case 1 -> LimitKind.REQUESTS;
            case 2 -> LimitKind.TOKENS;
            case 3 -> LimitKind.DAY_BUDGET;
            case 4 -> LimitKind.MONTH_BUDGET;
            default -> throw new IllegalStateException("admit.lua refused by an unknown limit: " + code);
        };
    }

    private String base(String key) {
        return prefix + "{" + key + "}:"; // the hash tag: all of one key's state in one cluster slot
    }

    private String rateKey(String key) {
        return base(key) + "rate";
    }

    private String dayKey(String key, LocalDate day) {
        return base(key) + "spend:d:" + day;
    }

    private String monthKey(String key, YearMonth month) {
        return base(key) + "spend:m:" + month;
    }

    private String usageKey(String key, LocalDate day) {
        return base(key) + "usage:" + day;
    }

    /** A failed or unanswered Redis call. */
    private static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** A Lua script from {@code resources/limits/}, with its SHA-1 for EVALSHA. */
    private record Script(String source, String sha) {

        static Script load(String... files) {
            StringBuilder source = new StringBuilder();
            for (String file : files) {
                try (InputStream in = RedisLimitStore.class.getResourceAsStream("/limits/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("missing resource limits/" + file);
                    }
                    source.append(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                            .append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            try {
                byte[] sha = MessageDigest.getInstance("SHA-1")
                        .digest(source.toString().getBytes(StandardCharsets.UTF_8));
                return new Script(source.toString(), HexFormat.of().formatHex(sha));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-1", e);
            }
        }

        Request request(Command command, String scriptOrSha, List<String> keys, List<Object> args) {
            Request r = Request.cmd(command).arg(scriptOrSha).arg(keys.size());
            keys.forEach(r::arg);
            for (Object a : args) {
                r.arg(a.toString());
            }
            return r;
        }
    }
}
