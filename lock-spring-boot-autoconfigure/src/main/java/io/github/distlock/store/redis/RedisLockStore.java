package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Locks in Redis, through the application's Spring Data Redis {@link RedisConnectionFactory}.
 *
 * <ul>
 *   <li>TryLock: {@code SET key owner NX PX lease}, one atomic command.</li>
 *   <li>Unlock: a script that deletes the key only when it holds {@code owner}.</li>
 *   <li>LockKeepAlive: a script that resets the key's time to live only when it holds {@code owner}.</li>
 *   <li>Waiting ({@link #awaitRelease}): Unlock's script publishes the key, which the store's subscription hears;
 *       see {@link RedisReleaseSignal}.</li>
 * </ul>
 * Scripts go by SHA ({@code EVALSHA}), their body only when a server does not know them yet. Every command touches
 * one key, so the store works unchanged on Redis Cluster. The key is the lock's namespaced resource id in UTF-8,
 * the value its owner.
 *
 * <p>Safety depends on Redis: with replication, a failover may promote a replica that has not yet received an
 * acknowledged lock, and a second owner can then take it.
 */
public class RedisLockStore implements ReleaseAwaitingLockStore, AutoCloseable {

    /** Lettuce is optional: with Jedis alone, Lettuce classes must not even be loaded. */
    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            RedisLockStore.class.getClassLoader());

    private final RedisLockCommands commands;
    private final RedisReleaseSignal releaseSignal;

    /** A store whose commands wait as long as the connection factory's command timeout. */
    public RedisLockStore(RedisConnectionFactory connectionFactory) {
        this(connectionFactory, null);
    }

    /**
     * @param operationTimeout longest wait for one command on Lettuce's shared connection, after which it is
     *                         cancelled and the call throws; {@code null}: the connection factory's command timeout.
     *                         Connections borrowed per call wait their client's own timeout.
     */
    public RedisLockStore(RedisConnectionFactory connectionFactory, Duration operationTimeout) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("distlock-redis-");
        executor.setDaemon(true);
        this.commands = usesSharedLettuceConnection(connectionFactory)
                ? new LettuceSharedConnectionCommands((LettuceConnectionFactory) connectionFactory, operationTimeout)
                : new RedisConnectionCommands(connectionFactory, executor);
        this.releaseSignal = new RedisReleaseSignal(commands, LETTUCE_PRESENT
                && connectionFactory instanceof LettuceConnectionFactory lettuce ? lettuce : null, executor);
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return commands.setIfAbsent(bytes(key), bytes(owner), TimeUnit.SECONDS.toMillis(expireSeconds));
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        return status(commands.evalOnKey(RedisLockScript.UNLOCK, bytes(key), bytes(owner)));
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        byte[] expireMillis = bytes(Long.toString(TimeUnit.SECONDS.toMillis(expireSeconds)));
        return status(commands.evalOnKey(RedisLockScript.KEEP_ALIVE, bytes(key), bytes(owner), expireMillis));
    }

    /**
     * Blocks until {@code key} is released (Unlock publishes it), its lease ends, or {@code maxWait} passes. Opens the
     * store's subscription on first use; while it is not live, polls instead (README, "Waiting on Redis").
     */
    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        releaseSignal.awaitRelease(key, maxWait);
    }

    /** Closes the subscription's connection, if the store opened one. The connection factory stays open. */
    @Override
    public void close() {
        releaseSignal.close();
    }

    /** Sends {@code PING} the way lock commands go; returns the reply. For health checks. */
    public String ping() {
        return commands.ping();
    }

    /** The waiting part, for tests. */
    RedisReleaseSignal releaseSignal() {
        return releaseSignal;
    }

    /** Whether a store on {@code connectionFactory} uses Lettuce's shared connection, not one per call. */
    static boolean usesSharedLettuceConnection(RedisConnectionFactory connectionFactory) {
        return LETTUCE_PRESENT && connectionFactory instanceof LettuceConnectionFactory lettuce
                && lettuce.getShareNativeConnection();
    }

    private static LockStatus status(long reply) {
        if (reply == RedisLockScript.SUCCESS) {
            return LockStatus.SUCCESS;
        }
        if (reply == RedisLockScript.NO_LOCK) {
            return LockStatus.LOCK_UNEXIST;
        }
        if (reply == RedisLockScript.OTHER_OWNER) {
            return LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        throw new IllegalStateException("Unexpected reply " + reply + " from a Redis lock script");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
