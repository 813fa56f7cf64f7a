package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Locks in Redis, through the application's Spring Data Redis {@link RedisConnectionFactory}.
 *
 * <ul>
 *   <li>TryLock: a script that takes the key when it has no owner and hands out the grant's fencing token
 *       ({@link RedisLockScript#TRY_LOCK}); plain TryLock runs the same script.</li>
 *   <li>Unlock: a script that, only when the key holds {@code owner}, removes the owner and leaves a tombstone
 *       with the last token for the {@linkplain #DEFAULT_TOKEN_RETENTION token retention}.</li>
 *   <li>Hand-over ({@link #handOver}): a script that, only when the key holds {@code owner}, sets the next owner,
 *       a new token and the next owner's lease ({@link RedisLockScript#HAND_OVER}); or, when a contender of
 *       another store instance marked the key since it was last released (a contender of another application
 *       waits), releases it as Unlock does and answers {@link #RELEASED}.</li>
 *   <li>LockKeepAlive: a script that resets the key's time to live only when it holds {@code owner}.</li>
 *   <li>Waiting ({@link #awaitRelease}): Unlock wakes this instance's own waiters of the key, and its script
 *       publishes the key, which the subscriptions of the other instances hear, when one of them may wait for it;
 *       see {@link RedisReleaseSignal}.</li>
 * </ul>
 * Scripts go by SHA ({@code EVALSHA}), their body only when a server does not know them yet. Every command touches
 * one key, so the store works unchanged on Redis Cluster. The key is the lock's namespaced resource id in UTF-8,
 * a hash of the owner ({@code o}), the id of the store instance that granted it ({@code i}), the last fencing token
 * ({@code t}) and, while held, the contender mark ({@code w}: the id of the store instance, not the holder's, whose
 * contender came last: a refused TryLock, or a waiter reading the lease). Store instance ids are random. Keys
 * written by a version before fencing tokens are strings: the scripts fail on them ({@code WRONGTYPE}) until their
 * lease ends.
 *
 * <p>Safety depends on Redis: with replication, a failover may promote a replica that has not yet received an
 * acknowledged lock, and a second owner can then take it.
 */
public class RedisLockStore implements ReleaseAwaitingLockStore, HandOverLockStore, AutoCloseable {

    /**
     * Hand-overs in a row within one application before a release goes by Unlock anyway: a bound only, as contenders
     * of other applications mark the key and get the lock released to them ({@link #RELEASED}) long before.
     */
    static final int MAX_HAND_OVERS_IN_A_ROW = 1024;

    /** How long an unlocked key keeps its last fencing token, by default. */
    public static final Duration DEFAULT_TOKEN_RETENTION = Duration.ofMinutes(10);

    /** Lettuce is optional: with Jedis alone, Lettuce classes must not even be loaded. */
    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            RedisLockStore.class.getClassLoader());

    private final RedisLockCommands commands;
    private final RedisReleaseSignal releaseSignal;
    private final byte[] tokenRetentionMillis;
    /** This instance's id, the contender mark its refused TryLocks leave: random, so unique among applications. */
    private final byte[] instanceId = bytes(UUID.randomUUID().toString());

    /**
     * A store whose commands wait as long as the connection factory's command timeout, keeping tokens of unlocked
     * keys for {@link #DEFAULT_TOKEN_RETENTION}.
     */
    public RedisLockStore(RedisConnectionFactory connectionFactory) {
        this(connectionFactory, null, DEFAULT_TOKEN_RETENTION);
    }

    /**
     * @param operationTimeout longest wait for one command on Lettuce's shared connection, after which it is
     *                         cancelled and the call throws; {@code null}: the connection factory's command timeout.
     *                         Connections borrowed per call wait their client's own timeout.
     * @param tokenRetention   how long an unlocked key stays as a tombstone holding its last fencing token (README,
     *                         "Fencing tokens"); zero removes the key at once. Milliseconds are the unit kept.
     * @throws IllegalArgumentException when {@code tokenRetention} is negative
     */
    public RedisLockStore(RedisConnectionFactory connectionFactory, Duration operationTimeout,
            Duration tokenRetention) {
        if (tokenRetention.isNegative()) {
            throw new IllegalArgumentException("tokenRetention must not be negative: " + tokenRetention);
        }
        this.tokenRetentionMillis = bytes(Long.toString(tokenRetention.toMillis()));
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("distlock-redis-");
        executor.setDaemon(true);
        this.commands = usesSharedLettuceConnection(connectionFactory)
                ? new LettuceSharedConnectionCommands((LettuceConnectionFactory) connectionFactory, operationTimeout)
                : new RedisConnectionCommands(connectionFactory, executor);
        this.releaseSignal = new RedisReleaseSignal(commands, instanceId, LETTUCE_PRESENT
                && connectionFactory instanceof LettuceConnectionFactory lettuce ? lettuce : null, executor);
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    /**
     * TryLock in one script; the token is as {@link RedisLockScript#TRY_LOCK} says. A refused TryLock marks the key
     * with this instance's id, so that another instance's hand-over yields ({@link #handOver}).
     */
    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        byte[] expireMillis = bytes(Long.toString(TimeUnit.SECONDS.toMillis(expireSeconds)));
        return token(commands.evalOnKey(RedisLockScript.TRY_LOCK, bytes(key), bytes(owner), expireMillis,
                instanceId), "TryLock");
    }

    private static long token(long reply, String script) {
        if (reply == RedisLockScript.NOT_ACQUIRED) {
            return NOT_ACQUIRED;
        }
        if (reply < 0) {
            throw new IllegalStateException("Unexpected reply " + reply + " from the Redis " + script + " script");
        }
        return reply;
    }

    /**
     * Hand-over in one script ({@link RedisLockScript#HAND_OVER}); the token is the holder's plus one. When a contender
     * of another instance marked the key since it was last released, the script releases the key instead, as
     * {@link #unlock} does (tombstone), publishes it, wakes this instance's waiters, and this answers
     * {@link #RELEASED}.
     */
    @Override
    public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
        byte[] expireMillis = bytes(Long.toString(TimeUnit.SECONDS.toMillis(expireSeconds)));
        long reply;
        try {
            reply = commands.evalOnKey(RedisLockScript.HAND_OVER, bytes(key), bytes(owner), tokenRetentionMillis,
                    bytes(nextOwner), expireMillis, instanceId);
        } catch (RuntimeException e) {
            releaseSignal.released(key); // as after a failed unlock: the script may have released the key
            throw e;
        }
        if (reply == RedisLockScript.RELEASED) {
            releaseSignal.released(key);
            return RELEASED;
        }
        return token(reply, "hand-over");
    }

    /** {@value #MAX_HAND_OVERS_IN_A_ROW}: contenders of other applications make the hand-over yield by themselves. */
    @Override
    public int maxHandOversInARow() {
        return MAX_HAND_OVERS_IN_A_ROW;
    }

    /**
     * Unlock in one script ({@link RedisLockScript#UNLOCK}), which publishes the key only for waiters outside this
     * store instance; this instance's own waiters of the key are woken here, also when the call fails (the script
     * may have run, and they left no mark that would have made it publish): a needless wake-up costs one TryLock.
     */
    @Override
    public LockStatus unlock(String key, String owner) {
        LockStatus status;
        try {
            status = status(commands.evalOnKey(RedisLockScript.UNLOCK, bytes(key), bytes(owner),
                    tokenRetentionMillis, instanceId));
        } catch (RuntimeException e) {
            releaseSignal.released(key);
            throw e;
        }
        if (status == LockStatus.SUCCESS) {
            releaseSignal.released(key);
        }
        return status;
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        byte[] expireMillis = bytes(Long.toString(TimeUnit.SECONDS.toMillis(expireSeconds)));
        return status(commands.evalOnKey(RedisLockScript.KEEP_ALIVE, bytes(key), bytes(owner), expireMillis));
    }

    /**
     * Blocks until {@code key} is released (an Unlock through this instance, or a published one), its lease ends, or
     * {@code maxWait} passes. Opens the
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
