package dev.cortex.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.LogCapture;
import dev.cortex.RedisServer;
import dev.cortex.limits.RedisLimitStore.WhenUnreachable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The contract on a real redis-server, and what only a shared store does: replicas share one limit, and an outage
 * of Redis neither hangs a request nor loses what was used meanwhile.
 */
class RedisLimitStoreTest extends LimitStoreContractTest {

    static final Duration TIMEOUT = Duration.ofMillis(250);
    /** What a call may take beyond the timeout on a busy test machine. */
    static final Duration MARGIN = Duration.ofMillis(750);

    static RedisServer redis;
    static Vertx vertx;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.create();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    LimitStore newStore() {
        return store(redis, WhenUnreachable.LOCAL);
    }

    static RedisLimitStore store(RedisServer server, WhenUnreachable whenUnreachable) {
        return new RedisLimitStore(vertx, server.url(), "test:", TIMEOUT, whenUnreachable, 30);
    }

    @Test
    void twoReplicasShareOneLimit() throws Exception {
        KeyLimits limits = new KeyLimits(50, NONE, NONE, NONE);
        try (RedisLimitStore other = store(redis, WhenUnreachable.LOCAL)) {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> counts = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    LimitStore mine = t % 2 == 0 ? store : other;
                    counts.add(threads.submit(() -> {
                        int admitted = 0;
                        for (int i = 0; i < 20; i++) {
                            if (mine.admit(new Ask(key, limits, 1, 0), T0).admitted()) {
                                admitted++;
                            }
                        }
                        return admitted;
                    }));
                }
                int sum = 0;
                for (Future<Integer> count : counts) {
                    sum += count.get();
                }
                assertThat(sum).isEqualTo(50);
            } finally {
                threads.shutdownNow();
            }
            assertThat(store.healthy()).isTrue();
            assertThat(other.healthy()).isTrue();
        }
    }

    @Test
    void spendIsWrittenWhereEveryReplicaReadsIt() {
        assertThat(ask(new KeyLimits(NONE, NONE, 1000, 5000), 1, 700, T0).admitted())
                .isTrue();
        assertThat(redis.command("GET test:{" + key + "}:spend:d:2026-12-03")).isEqualTo("$3");
        try (RedisLimitStore other = store(redis, WhenUnreachable.LOCAL)) {
            assertThat(other.spent(key, T0)).isEqualTo(new LimitStore.Spent(700, 700));
        }
    }

    @Test
    void aScriptRedisForgotIsSentAgain() {
        KeyLimits limits = new KeyLimits(5, NONE, NONE, NONE);
        assertThat(ask(limits, 1, 0, T0).admitted()).isTrue();
        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
        assertThat(ask(limits, 1, 0, T0).requests().remaining()).isEqualTo(3);
        assertThat(store.healthy()).isTrue();
    }

    @Test
    void onAnEventLoopItRefusesAtOnceRatherThanBlockTheLoop() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                ask(new KeyLimits(5, NONE, NONE, NONE), 1, 0, T0);
            } catch (Throwable e) {
                thrown.set(e);
            }
            done.complete(null);
        });
        done.join();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anOutageDecidesLocallyWithinTheTimeoutAndLosesNoUsage() {
        try (RedisServer own = RedisServer.create();
                RedisLimitStore limited = store(own, WhenUnreachable.LOCAL);
                LogCapture log = new LogCapture()) {
            KeyLimits limits = new KeyLimits(3, NONE, NONE, NONE);
            Reservation before = limited.admit(new Ask(key, limits, 10, 0), T0).reservation();
            assertThat(limited.healthy()).isTrue();

            own.stop();
            long started = System.nanoTime();
            Decision first = limited.admit(new Ask(key, limits, 10, 0), T0);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
            assertThat(limited.healthy()).isFalse();
            assertThat(limited.mode()).isEqualTo("redis (unreachable: local limits)");
            // the local store knows nothing of before: three of its own, then refused, each without waiting on Redis
            assertThat(first.admitted()).isTrue();
            List<Reservation> during = new ArrayList<>(List.of(first.reservation()));
            for (int i = 0; i < 2; i++) {
                long t = System.nanoTime();
                Decision d = limited.admit(new Ask(key, limits, 10, 0), T0);
                assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(MARGIN);
                assertThat(d.admitted()).isTrue();
                during.add(d.reservation());
            }
            assertThat(limited.admit(new Ask(key, limits, 10, 0), T0).refusedBy())
                    .isEqualTo(LimitKind.REQUESTS);

            limited.settle(before, new Spend("groq", "llama", 1, 2, 3), T0);
            for (Reservation r : during) {
                limited.settle(r, new Spend("groq", "llama", 10, 20, 30), T0);
            }
            assertThatThrownBy(() -> limited.usage(List.of(key), LocalDate.of(2026, 12, 3), LocalDate.of(2026, 12, 3)))
                    .isInstanceOf(LimitStoreUnavailableException.class);
            assertThat(log.text()).containsOnlyOnce("Redis limit store unreachable");

            own.start(); // empty: nothing is saved
            await().atMost(Duration.ofSeconds(10)).until(limited::healthy);
            assertThat(limited.mode()).isEqualTo("redis");
            assertThat(limited.usage(List.of(key), LocalDate.of(2026, 12, 3), LocalDate.of(2026, 12, 3)))
                    .containsExactly(new UsageRow(LocalDate.of(2026, 12, 3), key, "groq", "llama", 4, 31, 62, 93));
            assertThat(limited.spent(key, T0)).isEqualTo(new LimitStore.Spent(93, 93));
            assertThat(log.text()).contains("Redis limit store reachable again");
        }
    }

    @Test
    void allowAdmitsAndRefuseThrowsWhileRedisIsUnreachable() {
        try (RedisServer own = RedisServer.create();
                RedisLimitStore allowing = store(own, WhenUnreachable.ALLOW);
                RedisLimitStore refusing = store(own, WhenUnreachable.REFUSE)) {
            KeyLimits limits = new KeyLimits(1, NONE, NONE, NONE);
            own.stop();
            for (int i = 0; i < 3; i++) {
                Decision d = allowing.admit(new Ask(key, limits, 1, 5), T0);
                assertThat(d.admitted()).isTrue();
                assertThat(d.requests()).isEqualTo(RateWindow.NONE);
                allowing.settle(d.reservation(), new Spend("groq", "llama", 1, 1, 5), T0);
            }
            long started = System.nanoTime();
            assertThatThrownBy(() -> refusing.admit(new Ask(key, limits, 1, 0), T0))
                    .isInstanceOf(LimitStoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
            assertThat(refusing.mode()).isEqualTo("redis (unreachable: everything refused)");

            own.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> allowing.healthy() && refusing.healthy());
            // what was admitted without Redis was never reserved there: its whole cost is counted once it is back
            assertThat(allowing.spent(key, T0)).isEqualTo(new LimitStore.Spent(15, 15));
            assertThat(refusing.admit(new Ask(key, limits, 1, 0), T0).admitted())
                    .isTrue();
        }
    }

    @Test
    void aRedisThatNeverAnsweredAtStartIsUnhealthyAfterTheFirstCall() {
        RedisServer gone = RedisServer.create();
        gone.stop();
        try (RedisLimitStore limited = store(gone, WhenUnreachable.LOCAL)) {
            Instant start = Instant.now();
            assertThat(limited.admit(new Ask(key, new KeyLimits(1, NONE, NONE, NONE), 1, 0), T0)
                            .admitted())
                    .isTrue();
            assertThat(Duration.between(start, Instant.now())).isLessThan(TIMEOUT.plus(MARGIN));
            assertThat(limited.healthy()).isFalse();
        }
    }
}
