package io.github.distlock.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.FencedLockStore;

/**
 * Distributed locks for application code, as {@code TransactionTemplate} is for transactions: run work under a lock,
 * or take a lock as an {@link AutoCloseable} {@link LockHandle}. Every acquisition has a fresh UUID owner and waits
 * up to the options' wait time: stores that signal releases wake the waiter at once, others are tried again with
 * jittered exponential backoff (10 ms doubling to 200 ms). {@code @DistributedLock} runs through this class too.
 *
 * <pre>{@code
 * Receipt receipt = locks.executeLocked("order:42", LockOptions.waitFor(Duration.ofSeconds(5)),
 *         lock -> payments.charge(order));
 *
 * try (LockHandle lock = locks.acquire("order:42", LockOptions.tryOnce())) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Errors: {@link LockNotAcquiredException} when another owner held the lock for all of the wait time or the
 * thread was interrupted while waiting (the interrupt flag is set again); {@link LockStoreException} when the store
 * failed (a TryLock that failed this way is followed by an Unlock in the background, in case the store applied it);
 * {@link InvalidLockRequestException} for a blank resource id or an unknown store;
 * {@code LockStoreNotConfiguredException} when no store is configured at all.
 *
 * <p>Metrics ({@link LockMetrics}) carry {@code source=template}, or the source of {@link #withMetricsSource}.
 * Thread-safe; a bean of the auto-configuration.
 */
public class LockTemplate {

    private final DistributedLockClient client;
    private final LockAcquirer acquirer;
    private final LockRecorders recorders;
    private final LockRecorders.Source sourceRecorders;
    private final int defaultExpireSeconds;
    private final HeldLocks heldLocks;

    /**
     * @param recorders     where outcomes are recorded
     * @param defaultExpire lease of options without one ({@code distributed-lock.default-expire}): whole seconds,
     *                      at least 1
     * @throws IllegalArgumentException when {@code defaultExpire} is not whole seconds from 1 to
     *                                  {@link Integer#MAX_VALUE}
     */
    public LockTemplate(DistributedLockClient client, LockRecorders recorders, Duration defaultExpire) {
        this(client, recorders, defaultExpire, new HeldLocks());
    }

    /**
     * As {@link #LockTemplate(DistributedLockClient, LockRecorders, Duration)}, listing the locks it holds in
     * {@code heldLocks} until they are released.
     */
    public LockTemplate(DistributedLockClient client, LockRecorders recorders, Duration defaultExpire,
            HeldLocks heldLocks) {
        this(client, new LockAcquirer(client), recorders, LockMetrics.SOURCE_TEMPLATE,
                LockOptions.expireSeconds(defaultExpire), heldLocks);
    }

    /** Without metrics, with the {@link LockOptions#DEFAULT_EXPIRE} lease. */
    public LockTemplate(DistributedLockClient client) {
        this(client, new LockRecorders(LockMetrics.NOOP), LockOptions.DEFAULT_EXPIRE);
    }

    private LockTemplate(DistributedLockClient client, LockAcquirer acquirer, LockRecorders recorders, String source,
            int defaultExpireSeconds, HeldLocks heldLocks) {
        this.client = Objects.requireNonNull(client, "client");
        this.acquirer = acquirer;
        this.recorders = recorders;
        this.sourceRecorders = recorders.forSource(source);
        this.defaultExpireSeconds = defaultExpireSeconds;
        this.heldLocks = Objects.requireNonNull(heldLocks, "heldLocks");
    }

    /**
     * This template, recording metrics under another {@code source} tag (as {@code @DistributedLock} does with
     * {@link LockMetrics#SOURCE_ANNOTATION}); it shares everything else with this one.
     */
    public LockTemplate withMetricsSource(String source) {
        return new LockTemplate(client, acquirer, recorders, source, defaultExpireSeconds, heldLocks);
    }

    /**
     * Runs {@code callback} while holding the lock on {@code resourceId}, and releases it when the callback returns
     * or throws. The lock is {@link CurrentLock#get()} during the callback.
     *
     * @return the callback's result
     * @throws E                        what the callback threw, unchanged (a failed Unlock is added to it as
     *                                  suppressed, and logged)
     * @throws LockNotAcquiredException when the lock was not acquired; the callback did not run
     */
    public <T, E extends Throwable> T executeLocked(String resourceId, LockOptions options,
            LockCallback<T, E> callback) throws E {
        Objects.requireNonNull(callback, "callback");
        TemplateLockHandle lock = lock(resourceId, options);
        if (lock == null) {
            throw notAcquired(resourceId, options);
        }
        return runLocked(lock, callback);
    }

    /**
     * As {@link #executeLocked(String, LockOptions, LockCallback)}, but when another owner holds the lock for all of
     * the wait time, returns {@code whenNotAcquired}'s value instead of throwing (an interrupted wait still throws
     * {@link LockNotAcquiredException}).
     */
    public <T, E extends Throwable> T executeLocked(String resourceId, LockOptions options,
            LockCallback<T, E> callback, Supplier<? extends T> whenNotAcquired) throws E {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(whenNotAcquired, "whenNotAcquired");
        TemplateLockHandle lock = lock(resourceId, options);
        return lock == null ? whenNotAcquired.get() : runLocked(lock, callback);
    }

    /** Runs {@code action} while holding the lock; see {@link #executeLocked(String, LockOptions, LockCallback)}. */
    public void executeLocked(String resourceId, LockOptions options, Runnable action) {
        Objects.requireNonNull(action, "action");
        executeLocked(resourceId, options, lock -> {
            action.run();
            return null;
        });
    }

    /**
     * Takes the lock, waiting up to the options' wait time. Release it with {@link LockHandle#close()} (in
     * try-with-resources) or {@link LockHandle#release()}; until then it ends only with its lease.
     *
     * @throws LockNotAcquiredException when another owner held it for all of the wait time, or the wait was
     *                                  interrupted
     */
    public LockHandle acquire(String resourceId, LockOptions options) {
        TemplateLockHandle lock = lock(resourceId, options);
        if (lock == null) {
            throw notAcquired(resourceId, options);
        }
        return lock;
    }

    /**
     * As {@link #acquire}, but empty when another owner held the lock for all of the wait time (an interrupted wait
     * still throws {@link LockNotAcquiredException}).
     */
    public Optional<LockHandle> tryAcquire(String resourceId, LockOptions options) {
        return Optional.ofNullable(lock(resourceId, options));
    }

    /** The lease of options that name none, in seconds. */
    public int defaultExpireSeconds() {
        return defaultExpireSeconds;
    }

    private <T, E extends Throwable> T runLocked(TemplateLockHandle lock, LockCallback<T, E> callback) throws E {
        CurrentLock.bind(lock);
        Throwable failure = null;
        try {
            return callback.doInLock(lock);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            CurrentLock.unbind(lock);
            lock.releaseAfter(failure);
        }
    }

    /** The lock, or {@code null} when another owner held it for all of the wait time. */
    private TemplateLockHandle lock(String resourceId, LockOptions options) {
        Objects.requireNonNull(options, "options");
        String storeName = client.resolveStoreName(options.storeName());
        int expire = options.expireSeconds() > 0 ? options.expireSeconds() : defaultExpireSeconds;
        String owner = UUID.randomUUID().toString();
        long start = System.nanoTime();
        long token;
        try {
            token = acquirer.acquire(storeName, resourceId, owner, expire, options.waitNanos(), start);
        } catch (RuntimeException | Error e) {
            // Only configured stores get meters: an unknown name must not create any.
            if (client.storeNames().contains(storeName)) {
                sourceRecorders.recorder(storeName).acquireFailed(System.nanoTime() - start);
            }
            throw e;
        }
        long lockedAt = System.nanoTime();
        LockMetrics.Recorder recorder = sourceRecorders.recorder(storeName);
        if (token == FencedLockStore.NOT_ACQUIRED) {
            recorder.notAcquired(lockedAt - start);
            return null;
        }
        recorder.acquired(lockedAt - start);
        TemplateLockHandle lock = new TemplateLockHandle(client, recorder, heldLocks, storeName, resourceId, owner,
                expire, token, lockedAt);
        heldLocks.add(lock);
        return lock;
    }

    private LockNotAcquiredException notAcquired(String resourceId, LockOptions options) {
        return new LockNotAcquiredException(resourceId, client.resolveStoreName(options.storeName()),
                options.waitNanos() == 0 ? "another owner holds it" : "another owner held it for all of the wait time");
    }
}
