package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.github.distlock.waiting.ReleaseWaiters;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store's subscription to {@link RedisLockScript#RELEASE_CHANNEL}, on a Lettuce pub/sub connection of its own,
 * made from the factory's client (so with its Sentinel, Cluster, SSL and credentials): opened on the first wait,
 * shared by all waiters of all keys, closed with the store. Each message names a released key and wakes its waiters.
 *
 * <p>The subscription is <em>live</em> from the server's confirmation of {@code SUBSCRIBE} until the connection
 * drops; then every watch is lost and waiters fall back to timed retries. Lettuce reconnects by itself (through
 * Sentinel to the current master) and subscribes again; that confirmation makes the subscription live again. A
 * {@code SUBSCRIBE} that fails (an ACL without the channel) is sent again by the next wait that finds it not live.
 *
 * <p>Classic pub/sub, on a Redis Cluster too: {@code PUBLISH} reaches every node, so one connection to any node
 * hears all releases. (Sharded pub/sub would keep each message on its key's shard, but Lettuce 6.8 re-subscribes a
 * node's shard channels in one {@code SSUBSCRIBE}, which the server refuses with {@code CROSSSLOT} as soon as they
 * span two slots: after a reconnection the subscriptions would be silently gone.)
 *
 * <p>Threads: waiters call {@link #start} and {@link #isLive}; the connection is opened on {@code executor};
 * Lettuce's I/O threads call the listener. The connection's state is guarded by {@code lock}.
 */
final class LettuceReleaseSubscription implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(RedisLockStore.class);
    private static final byte[] CHANNEL = RedisLockScript.RELEASE_CHANNEL.getBytes(StandardCharsets.UTF_8);
    /** After a failed attempt to open the connection, the next waits do not try again for this long. */
    private static final long CONNECT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LettuceConnectionFactory connectionFactory;
    private final ReleaseWaiters waiters;
    private final Executor executor;
    private final Listener listener = new Listener();
    private final Object lock = new Object();
    private StatefulRedisPubSubConnection<byte[], byte[]> connection;
    private boolean connecting;
    private boolean subscribing;
    private boolean closed;
    private boolean warned;
    private long nextConnectNanos = System.nanoTime();
    private volatile boolean live;

    LettuceReleaseSubscription(LettuceConnectionFactory connectionFactory, ReleaseWaiters waiters,
            Executor executor) {
        this.connectionFactory = connectionFactory;
        this.waiters = waiters;
        this.executor = executor;
    }

    /** Whether a release published now reaches this store. */
    boolean isLive() {
        return live;
    }

    /** Opens the connection, or subscribes again, unless it is live or that is under way. Never blocks. */
    void start() {
        synchronized (lock) {
            if (live || closed || connecting || subscribing) {
                return;
            }
            if (connection == null || ((RedisChannelHandler<?, ?>) connection).isClosed()) {
                if (System.nanoTime() - nextConnectNanos >= 0) {
                    connecting = true;
                    executor.execute(this::connect);
                }
            } else if (connection.isOpen()) {
                subscribe(connection);
            }
            // else Lettuce is reconnecting, and subscribes again on its own
        }
    }

    /** The pub/sub connection, for tests; null before the first wait. */
    StatefulRedisPubSubConnection<byte[], byte[]> connection() {
        synchronized (lock) {
            return connection;
        }
    }

    @Override
    public void close() {
        StatefulRedisPubSubConnection<byte[], byte[]> open;
        synchronized (lock) {
            closed = true;
            live = false;
            open = connection;
            connection = null;
        }
        if (open != null) {
            open.removeListener((RedisConnectionStateListener) listener);
            open.closeAsync();
        }
    }

    private void connect() {
        StatefulRedisPubSubConnection<byte[], byte[]> opened = null;
        try {
            // Blocking (the client has no asynchronous pub/sub connect on its own address), hence on the executor.
            AbstractRedisClient client = connectionFactory.getRequiredNativeClient();
            opened = client instanceof RedisClusterClient cluster ? cluster.connectPubSub(ByteArrayCodec.INSTANCE)
                    : ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
            opened.addListener((RedisPubSubAdapter<byte[], byte[]>) listener);
            opened.addListener((RedisConnectionStateListener) listener);
        } catch (RuntimeException e) {
            warnOnce("cannot open its pub/sub connection", e);
        }
        synchronized (lock) {
            connecting = false;
            if (opened == null) {
                nextConnectNanos = System.nanoTime() + CONNECT_RETRY_NANOS;
                return;
            }
            if (closed) {
                opened.closeAsync();
                return;
            }
            connection = opened;
            subscribe(opened);
        }
    }

    /** Sends {@code SUBSCRIBE}; the listener hears the confirmation. Called under {@code lock}. */
    private void subscribe(StatefulRedisPubSubConnection<byte[], byte[]> on) {
        subscribing = true;
        on.async().subscribe(CHANNEL).whenComplete((done, failure) -> {
            synchronized (lock) {
                subscribing = false;
            }
            if (failure != null) {
                warnOnce("cannot subscribe to " + RedisLockScript.RELEASE_CHANNEL, failure);
            }
        });
    }

    private void warnOnce(String problem, Throwable failure) {
        synchronized (lock) {
            if (warned) {
                logger.debug("Redis lock store " + problem, failure);
                return;
            }
            warned = true;
        }
        logger.warn("Redis lock store " + problem + " (" + failure + "); waiters fall back to polling every "
                + ReleaseWaiters.POLL_INTERVAL.toMillis() + " ms until it can");
    }

    /** Messages, confirmations and disconnections of the pub/sub connection. */
    private final class Listener extends RedisPubSubAdapter<byte[], byte[]> implements RedisConnectionStateListener {

        @Override
        public void message(byte[] channel, byte[] key) {
            waiters.released(new String(key, StandardCharsets.UTF_8));
        }

        @Override
        public void subscribed(byte[] channel, long count) {
            synchronized (lock) {
                live = !closed;
            }
            waiters.signalRestored();
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> disconnected) {
            live = false;
            // Releases published until the subscription is back are not heard: every waiter reads its key again.
            waiters.loseAll();
        }
    }
}
