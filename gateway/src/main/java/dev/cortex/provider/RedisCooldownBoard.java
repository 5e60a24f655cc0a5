package dev.cortex.provider;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider keys' cooldowns shared through Redis. A cooldown met here is written as a key,
 * {@code <prefix>cooldown:<provider>:<fingerprint>} = the end in epoch millis, expiring when it ends, and published on
 * {@code <prefix>cooldowns} as {@code <provider> <fingerprint> <untilMillis> <instanceId>}. Every board listens on that
 * channel and hands what other replicas publish to its receiver; when it (re)connects it also reads the keys, so that
 * a replica started (or reconnected) during a cooldown stays off that key too. Only fingerprints travel, never keys.
 *
 * <p>Telling never waits on Redis (a provider call must not); a failure is logged once until Redis answers again.
 */
public final class RedisCooldownBoard implements CooldownBoard, AutoCloseable {

    /** Where the cooldowns of other replicas go: to each provider's {@link KeyPool#cooledElsewhere}. */
    @FunctionalInterface
    public interface Receiver {
        void cooledElsewhere(String provider, String fingerprint, Instant until);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RedisCooldownBoard.class);
    private static final long RECONNECT_MILLIS = 1_000;
    private static final int SCAN_COUNT = 500;

    private final Vertx vertx;
    private final Redis commands;
    private final Redis listener;
    private final String keyPrefix;
    private final String channel;
    private final Receiver receiver;
    private final String instanceId = UUID.randomUUID().toString();
    private final AtomicBoolean tellFailed = new AtomicBoolean();
    private final AtomicBoolean listenFailed = new AtomicBoolean();
    private final AtomicBoolean reconnecting = new AtomicBoolean();

    private volatile RedisConnection subscription;
    private volatile boolean subscribed;
    private volatile boolean closed;

    /**
     * Starts listening at once (in the background: nothing here waits for Redis).
     *
     * @param redisUrl  {@code redis://[:password@]host:port[/db]} (never logged)
     * @param keyPrefix put before the Redis keys and the channel ({@code cortex:})
     */
    public RedisCooldownBoard(Vertx vertx, String redisUrl, String keyPrefix, Receiver receiver) {
        this.vertx = vertx;
        this.keyPrefix = keyPrefix + "cooldown:";
        this.channel = keyPrefix + "cooldowns";
        this.receiver = receiver;
        this.commands = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl));
        // a subscribed connection takes no other command: its own client, so that it never lands in the pool
        this.listener = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl));
        listen();
    }

    /** Tells the others; returns at once. */
    @Override
    public void cooled(String provider, String fingerprint, Instant until) {
        long untilMillis = until.toEpochMilli();
        long ttl = untilMillis - System.currentTimeMillis();
        if (closed || ttl <= 0) {
            return;
        }
        Request set = Request.cmd(Command.SET)
                .arg(keyPrefix + provider + ":" + fingerprint)
                .arg(untilMillis)
                .arg("PX")
                .arg(ttl);
        Request publish = Request.cmd(Command.PUBLISH)
                .arg(channel)
                .arg(provider + " " + fingerprint + " " + untilMillis + " " + instanceId);
        // one after the other, not a batch: in a Redis Cluster the key and the channel need not share a node
        commands.send(set).compose(ok -> commands.send(publish)).onComplete(done -> {
            if (done.succeeded()) {
                tellFailed.set(false);
            } else if (tellFailed.compareAndSet(false, true)) {
                LOG.warn(
                        "Cannot tell other replicas a provider key's cooldown through Redis ({}); they find out for"
                                + " themselves until it answers",
                        done.cause().getMessage());
            }
        });
    }

    /** Whether this board listens to the others now. */
    public boolean subscribed() {
        return subscribed;
    }

    /** This replica's name on the channel, to know its own messages. */
    public String instanceId() {
        return instanceId;
    }

    @Override
    public void close() {
        closed = true;
        subscribed = false;
        RedisConnection connection = subscription;
        if (connection != null) {
            connection.close();
        }
        listener.close();
        commands.close();
    }

    private void listen() {
        if (closed) {
            return;
        }
        listener.connect()
                .compose(connection -> {
                    subscription = connection;
                    connection.handler(this::onMessage);
                    connection.exceptionHandler(e -> lost(connection, e.getMessage()));
                    connection.endHandler(v -> lost(connection, "connection closed"));
                    return connection.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
                })
                .onSuccess(ok -> {
                    subscribed = true;
                    if (listenFailed.compareAndSet(true, false)) {
                        LOG.info("Listening to other replicas' provider key cooldowns through Redis again");
                    }
                    load(); // what was published while this board did not listen is in the keys
                })
                .onFailure(e -> {
                    RedisConnection connection = subscription;
                    if (connection != null) {
                        connection.close();
                    }
                    retry(e.getMessage());
                });
    }

    private void lost(RedisConnection connection, String why) {
        if (connection == subscription) {
            subscribed = false;
            subscription = null;
            connection.close();
            retry(why);
        }
    }

    private void retry(String why) {
        if (closed || !reconnecting.compareAndSet(false, true)) {
            return;
        }
        if (listenFailed.compareAndSet(false, true)) {
            LOG.warn(
                    "Not listening to other replicas' provider key cooldowns through Redis ({}); trying again every {}"
                            + " ms",
                    why,
                    RECONNECT_MILLIS);
        }
        vertx.setTimer(RECONNECT_MILLIS, id -> {
            reconnecting.set(false);
            listen();
        });
    }

    /** A pub/sub push: {@code message <channel> <payload>}; subscribe confirmations and others are not for us. */
    private void onMessage(Response push) {
        if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
            return;
        }
        String[] parts = push.get(2).toString().split(" ");
        if (parts.length != 4 || parts[3].equals(instanceId)) {
            return;
        }
        try {
            hand(parts[0], parts[1], Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            LOG.debug("Ignoring a malformed cooldown message on {}", channel);
        }
    }

    /** Reads every cooldown key (SCAN, a page at a time) and hands those still running to the receiver. */
    private void load() {
        scan("0");
    }

    private void scan(String cursor) {
        commands.send(Request.cmd(Command.SCAN)
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(keyPrefix + "*")
                        .arg("COUNT")
                        .arg(SCAN_COUNT))
                .onSuccess(page -> {
                    for (Response key : page.get(1)) {
                        String name = key.toString();
                        commands.send(Request.cmd(Command.GET).arg(name)).onSuccess(value -> {
                            if (value != null) {
                                fromKey(name, value.toLong());
                            }
                        });
                    }
                    String next = page.get(0).toString();
                    if (!"0".equals(next)) {
                        scan(next);
                    }
                })
                .onFailure(e -> LOG.debug("Cannot read the cooldown keys: {}", e.getMessage()));
    }

    private void fromKey(String name, long untilMillis) {
        String rest = name.substring(keyPrefix.length()); // <provider>:<fingerprint>
        int colon = rest.lastIndexOf(':');
        if (colon > 0) {
            hand(rest.substring(0, colon), rest.substring(colon + 1), untilMillis);
        }
    }

    private void hand(String provider, String fingerprint, long untilMillis) {
        if (untilMillis <= System.currentTimeMillis()) {
            return;
        }
        try {
            receiver.cooledElsewhere(provider, fingerprint, Instant.ofEpochMilli(untilMillis));
        } catch (RuntimeException e) {
            LOG.warn("A shared cooldown of provider {} could not be applied: {}", provider, e.toString());
        }
    }
}
