package dev.cortex.provider;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Provider key cooldowns shared by replicas through a real redis-server: published, received, and found later. */
class RedisCooldownBoardTest {

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

    record Cooled(String provider, String fingerprint, Instant until) {}

    @Test
    void aCooldownReachesTheOtherReplicasAndOnesStartedLater() {
        Queue<Cooled> heardByA = new ConcurrentLinkedQueue<>();
        Queue<Cooled> heardByB = new ConcurrentLinkedQueue<>();
        Queue<Cooled> heardByC = new ConcurrentLinkedQueue<>();
        Instant until = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS);
        String fingerprint = ApiKeys.fingerprint("gsk_a_test_key_nobody_uses_1234");
        try (RedisCooldownBoard a = board(heardByA);
                RedisCooldownBoard b = board(heardByB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.subscribed() && b.subscribed());
            assertThat(a.instanceId()).isNotEqualTo(b.instanceId());

            a.cooled("groq", fingerprint, until);
            await().atMost(Duration.ofSeconds(10)).until(() -> !heardByB.isEmpty());
            assertThat(heardByB).containsExactly(new Cooled("groq", fingerprint, until));

            try (RedisCooldownBoard c = board(heardByC)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !heardByC.isEmpty());
                assertThat(heardByC).containsExactly(new Cooled("groq", fingerprint, until));
            }
            // a board does not hear itself on the channel (it holds the cooldown already)
            assertThat(heardByA).doesNotContain(new Cooled("groq", fingerprint, until));
        }
        assertThat(redis.command("PTTL " + prefix + "cooldown:groq:" + fingerprint))
                .startsWith(":");
    }

    @Test
    void aCooldownThatHasEndedIsNotTold() {
        Queue<Cooled> heard = new ConcurrentLinkedQueue<>();
        try (RedisCooldownBoard a = board(new ConcurrentLinkedQueue<>());
                RedisCooldownBoard b = board(heard)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.subscribed() && b.subscribed());
            a.cooled("gemini", "0123456789abcdef", Instant.now().minusSeconds(1));
            Instant until = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
            a.cooled("gemini", "fedcba9876543210", until); // told after the ended one: heard means the first was not
            await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
            assertThat(List.copyOf(heard)).containsExactly(new Cooled("gemini", "fedcba9876543210", until));
        }
    }

    @Test
    void boardsListenAgainWhenRedisIsBack() {
        Queue<Cooled> heard = new ConcurrentLinkedQueue<>();
        try (RedisServer own = RedisServer.create();
                RedisCooldownBoard a = new RedisCooldownBoard(vertx, own.url(), prefix, (p, f, u) -> {});
                RedisCooldownBoard b =
                        new RedisCooldownBoard(vertx, own.url(), prefix, (p, f, u) -> heard.add(new Cooled(p, f, u)))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.subscribed() && b.subscribed());
            own.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.subscribed() && !b.subscribed());
            a.cooled("groq", "0123456789abcdef", Instant.now().plusSeconds(60)); // lost: nobody to tell

            own.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.subscribed() && b.subscribed());
            Instant until = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
            a.cooled("groq", "fedcba9876543210", until);
            await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
            assertThat(List.copyOf(heard)).containsExactly(new Cooled("groq", "fedcba9876543210", until));
        }
    }

    @Test
    void aBoardWithoutRedisTellsNothingAndDoesNotWait() {
        RedisServer gone = RedisServer.create();
        gone.stop();
        try (RedisCooldownBoard lonely = new RedisCooldownBoard(vertx, gone.url(), "test:", (p, f, u) -> {})) {
            long started = System.nanoTime();
            lonely.cooled("groq", "0123456789abcdef", Instant.now().plusSeconds(60));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
            assertThat(lonely.subscribed()).isFalse();
        }
    }

    /** Each test's boards on a prefix of its own: a board also hears the cooldowns earlier tests left in Redis. */
    String prefix = "test-" + UUID.randomUUID() + ":";

    RedisCooldownBoard board(Queue<Cooled> heard) {
        return new RedisCooldownBoard(
                vertx, redis.url(), prefix, (provider, fp, until) -> heard.add(new Cooled(provider, fp, until)));
    }
}
