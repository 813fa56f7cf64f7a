package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.github.distlock.waiting.ReleaseWaiters;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * How the Redis store wakes its waiters: an Unlock through this store wakes them at once; one through another
 * store instance publishes the key when a waiter of this one marked it or the lock was granted here
 * ({@link RedisLockScript#UNLOCK}), and the store's {@link LettuceReleaseSubscription} hears it. A watch reads the key's lease ({@link RedisLockScript#LEASE_LEFT})
 * once the subscription is live, so a release before the read shows as a free key and one after it as a message;
 * the time to live is when a lock
 * that ends by expiry (which publishes nothing) frees the waiters. While the subscription is not live (not yet
 * confirmed, or lost) the read still tells a free key at once, and a held one makes the waiters poll.
 *
 * <p>Without Lettuce (Jedis) there is no subscription: waiters poll, every {@link ReleaseWaiters#POLL_INTERVAL} at
 * most, and return at the lease's end.
 *
 * <p>Threads: waiters arm; the reply to the read completes on a client thread.
 */
final class RedisReleaseSignal extends ReleaseWaiters implements AutoCloseable {

    private static final long LEASE_END_MARGIN_MILLIS = 2;
    private static final long NO_KEY = -2;

    private final RedisLockCommands commands;
    private final byte[] mark;
    private final LettuceReleaseSubscription subscription;
    private final SimpleAsyncTaskExecutor executor;

    /**
     * @param commands         how the store reads a key's lease
     * @param mark             the store instance's contender mark, left on a held key the read finds
     * @param lettuceFactory   the Lettuce factory whose client the subscription uses; null for other clients
     * @param executor         for blocking work: opening the subscription, reads on a blocking connection
     */
    RedisReleaseSignal(RedisLockCommands commands, byte[] mark, LettuceConnectionFactory lettuceFactory,
            SimpleAsyncTaskExecutor executor) {
        super(System::nanoTime);
        this.commands = commands;
        this.mark = mark;
        this.executor = executor;
        this.subscription = lettuceFactory == null ? null
                : new LettuceReleaseSubscription(lettuceFactory, this, executor);
    }

    @Override
    protected void arm(String key, ReleaseWaiters.Watch watch) {
        // Read after the watch is registered: a disconnection from now on loses it, so "live" cannot be stale.
        boolean live = subscription != null && subscription.isLive();
        if (subscription != null && !live) {
            subscription.start();
        }
        commands.leaseLeft(key.getBytes(StandardCharsets.UTF_8), mark).whenComplete((millis, failure) -> {
            if (failure != null) {
                watch.failed();
            } else if (millis == NO_KEY) {
                watch.released();
            } else if (!live) {
                watch.lost();
            } else {
                // PTTL rounds down and Redis counts a key expired only once its millisecond is past: waking 2 ms
                // later saves a TryLock that would find the key still there.
                watch.held(millis < 0 ? Long.MAX_VALUE
                        : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis + LEASE_END_MARGIN_MILLIS));
            }
        });
    }

    @Override
    protected void disarm(String key, ReleaseWaiters.Watch watch) {
        // Nothing registered per key: the subscription serves them all.
    }

    LettuceReleaseSubscription subscription() {
        return subscription;
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        executor.close();
    }
}
