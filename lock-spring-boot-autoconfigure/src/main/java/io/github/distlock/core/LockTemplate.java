package io.github.distlock.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockObservation;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.FencedLockStore;
import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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
 * <p>While held, a lock's lease is renewed and its loss reported by the {@link LockWatchdog}, and a call on a lock
 * its thread already holds in an enclosing call is reentrant; {@link LockOptions} say how (renewal, reentrant,
 * onLockLost, holdAtLeast).
 *
 * <p>Metrics ({@link LockMetrics}) carry {@code source=template}, or the source of {@link #withMetricsSource}; so do
 * the acquire and hold observations ({@link io.github.distlock.metrics.LockObservationDocumentation}) when the
 * {@link LockRecorders} have an {@code ObservationRegistry}.
 * Thread-safe; a bean of the auto-configuration.
 */
public class LockTemplate {

    private static final Log logger = LogFactory.getLog(LockTemplate.class);

    private final DistributedLockClient client;
    private final LockAcquirer acquirer;
    private final LockRecorders recorders;
    private final LockRecorders.Source sourceRecorders;
    private final int defaultExpireSeconds;
    private final LockWatchdog watchdog;
    private final HeldLocks heldLocks;

    /**
     * @param recorders     where outcomes are recorded
     * @param defaultExpire lease of options without one ({@code distributed-lock.default-expire}): whole seconds,
     *                      at least 1
     * @param watchdog      renews the leases of held locks and reports their loss
     * @throws IllegalArgumentException when {@code defaultExpire} is not whole seconds from 1 to
     *                                  {@link Integer#MAX_VALUE}
     */
    public LockTemplate(DistributedLockClient client, LockRecorders recorders, Duration defaultExpire,
            LockWatchdog watchdog) {
        this(client, recorders, defaultExpire, watchdog, new HeldLocks());
    }

    /**
     * As {@link #LockTemplate(DistributedLockClient, LockRecorders, Duration, LockWatchdog)}, listing the locks it
     * holds in {@code heldLocks} until they are released (the shutdown waits for them: {@link HeldLocksShutdown}).
     */
    public LockTemplate(DistributedLockClient client, LockRecorders recorders, Duration defaultExpire,
            LockWatchdog watchdog, HeldLocks heldLocks) {
        this(client, new LockAcquirer(client), recorders, LockMetrics.SOURCE_TEMPLATE,
                LockOptions.expireSeconds(defaultExpire), Objects.requireNonNull(watchdog, "watchdog"),
                Objects.requireNonNull(heldLocks, "heldLocks"));
    }

    /** With a watchdog of its own that renews leases, counts losses and publishes no events. */
    public LockTemplate(DistributedLockClient client, LockRecorders recorders, Duration defaultExpire) {
        this(client, recorders, defaultExpire, new LockWatchdog(client, recorders.metrics(), true, event -> {
        }));
    }

    /** Without metrics, with the {@link LockOptions#DEFAULT_EXPIRE} lease and a watchdog of its own. */
    public LockTemplate(DistributedLockClient client) {
        this(client, new LockRecorders(LockMetrics.NOOP), LockOptions.DEFAULT_EXPIRE);
    }

    private LockTemplate(DistributedLockClient client, LockAcquirer acquirer, LockRecorders recorders, String source,
            int defaultExpireSeconds, LockWatchdog watchdog, HeldLocks heldLocks) {
        this.client = Objects.requireNonNull(client, "client");
        this.acquirer = acquirer;
        this.recorders = recorders;
        this.sourceRecorders = recorders.forSource(source);
        this.defaultExpireSeconds = defaultExpireSeconds;
        this.watchdog = watchdog;
        this.heldLocks = heldLocks;
    }

    /**
     * This template, recording metrics under another {@code source} tag (as {@code @DistributedLock} does with
     * {@link LockMetrics#SOURCE_ANNOTATION}); it shares everything else with this one.
     */
    public LockTemplate withMetricsSource(String source) {
        return new LockTemplate(client, acquirer, recorders, source, defaultExpireSeconds, watchdog, heldLocks);
    }

    /** The acquisition loop and line of waiters this template (and its {@link #withMetricsSource} twins) use. */
    LockAcquirer acquirer() {
        return acquirer;
    }

    /** The watchdog renewing this template's locks. */
    public LockWatchdog watchdog() {
        return watchdog;
    }

    /**
     * Runs {@code callback} while holding the lock on {@code resourceId}, and releases it when the callback returns
     * or throws (with {@code holdAtLeast}, see {@link LockHandle#release()}). The lock is {@link CurrentLock#get()}
     * during the callback, and its lease is renewed (unless renewal is off). When the thread already holds the lock
     * in an enclosing call (same store and resource id), the callback runs at once under that lock, which the
     * enclosing call releases; the options of this call are then not used.
     *
     * @return the callback's result
     * @throws E                        what the callback threw, unchanged (a failed Unlock is added to it as
     *                                  suppressed, and logged)
     * @throws LockNotAcquiredException when the lock was not acquired (the callback did not run), or the thread
     *                                  holds it in an enclosing call and {@code reentrant} is off
     * @throws LockLostException        when the lock was lost while the callback ran and {@code onLockLost} is
     *                                  {@code THROW} or {@code INTERRUPT}
     * @throws IllegalArgumentException when {@code holdAtLeast} is longer than the default lease it is taken with
     */
    public <T, E extends Throwable> T executeLocked(String resourceId, LockOptions options,
            LockCallback<T, E> callback) throws E {
        Objects.requireNonNull(callback, "callback");
        TemplateLockHandle enclosing = heldByThisThread(resourceId, options);
        if (enclosing != null) {
            return runNested(enclosing, callback);
        }
        TemplateLockHandle lock = lock(resourceId, options);
        if (lock == null) {
            throw notAcquired(resourceId, options);
        }
        return runLocked(lock, callback);
    }

    /**
     * As {@link #executeLocked(String, LockOptions, LockCallback)}, but when another owner holds the lock for all of
     * the wait time, returns {@code whenNotAcquired}'s value instead of throwing (an interrupted wait still throws
     * {@link LockNotAcquiredException}). Such a skip is logged at DEBUG and counted ({@code distributed.lock.skipped}).
     */
    public <T, E extends Throwable> T executeLocked(String resourceId, LockOptions options,
            LockCallback<T, E> callback, Supplier<? extends T> whenNotAcquired) throws E {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(whenNotAcquired, "whenNotAcquired");
        TemplateLockHandle enclosing = heldByThisThread(resourceId, options);
        if (enclosing != null) {
            return runNested(enclosing, callback);
        }
        TemplateLockHandle lock = lock(resourceId, options);
        if (lock == null) {
            skipped(resourceId, options);
            return whenNotAcquired.get();
        }
        return runLocked(lock, callback);
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
     * try-with-resources) or {@link LockHandle#release()}; until then its lease is renewed (unless renewal is off).
     * When the thread holds the lock in an enclosing {@code executeLocked} call, the handle is one more hold of that
     * lock: its release ends the hold, and the enclosing call releases the lock.
     *
     * @throws LockNotAcquiredException when another owner held it for all of the wait time, the wait was interrupted,
     *                                  or the thread holds it in an enclosing call and {@code reentrant} is off
     * @throws IllegalArgumentException when {@code onLockLost} is not {@code CONTINUE} (a handle has no call to
     *                                  interrupt or fail: watch {@link LockHandle#isHeld()}), or {@code holdAtLeast}
     *                                  is longer than the default lease
     */
    public LockHandle acquire(String resourceId, LockOptions options) {
        LockHandle lock = handle(resourceId, options);
        if (lock == null) {
            throw notAcquired(resourceId, options);
        }
        return lock;
    }

    /**
     * As {@link #acquire}, but empty when another owner held the lock for all of the wait time (an interrupted wait,
     * or a held lock that is not reentrant, still throws {@link LockNotAcquiredException}).
     */
    public Optional<LockHandle> tryAcquire(String resourceId, LockOptions options) {
        return Optional.ofNullable(handle(resourceId, options));
    }

    /** For {@link WorkScopedLocks}. */
    DistributedLockClient client() {
        return client;
    }

    /** The lease of options that name none, in seconds. */
    public int defaultExpireSeconds() {
        return defaultExpireSeconds;
    }

    private <T, E extends Throwable> T runLocked(TemplateLockHandle lock, LockCallback<T, E> callback) throws E {
        CurrentLock.bind(lock);
        lock.watch.enter();
        Observation.Scope observed = LockObservation.openHoldScope(lock.watch.recorder);
        Throwable failure = null;
        T result;
        try {
            result = callback.doInLock(lock);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            observed.close();
            lock.watch.exit();
            CurrentLock.unbind(lock);
            lock.releaseAfter(failure);
            LockLostException lost = lock.watch.failureAfterCall();
            if (lost != null && failure != null) {
                failure.addSuppressed(lost);
            }
        }
        LockLostException lost = lock.watch.failureAfterCall();
        if (lost != null) {
            throw lost;
        }
        return result;
    }

    /** A reentrant call: runs under the enclosing call's lock, one hold more. */
    private static <T, E extends Throwable> T runNested(TemplateLockHandle enclosing, LockCallback<T, E> callback)
            throws E {
        enclosing.watch.hold();
        try {
            return callback.doInLock(enclosing);
        } finally {
            enclosing.watch.unhold();
        }
    }

    /**
     * The lock this thread holds in an enclosing call on the same store and resource id, if it is still held and the
     * call may reenter it; {@code null} when there is none.
     *
     * @throws LockNotAcquiredException when there is one and {@code reentrant} is off: waiting would wait for itself
     */
    TemplateLockHandle heldByThisThread(String resourceId, LockOptions options) {
        Objects.requireNonNull(options, "options");
        String storeName = client.resolveStoreName(options.storeName());
        TemplateLockHandle enclosing = CurrentLock.held(storeName, resourceId);
        if (enclosing == null || !enclosing.isHeld()) {
            return null;
        }
        if (!options.reentrant()) {
            throw new LockNotAcquiredException(resourceId, storeName, "this thread already holds it in an enclosing "
                    + "call, and reentrant is off for this call (waiting would wait for itself); make the call "
                    + "reentrant, or lock another key");
        }
        return enclosing;
    }

    /** For acquire/tryAcquire: a reentrant hold, the lock, or {@code null} when another owner held it. */
    private LockHandle handle(String resourceId, LockOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.onLockLost() != OnLockLost.CONTINUE) {
            throw new IllegalArgumentException("onLockLost '" + options.onLockLost() + "' applies to executeLocked "
                    + "and @DistributedLock, which have a call to interrupt or fail; a handle of acquire/tryAcquire "
                    + "tells of a loss through isHeld(), the WARN and LockLostEvent.");
        }
        TemplateLockHandle enclosing = heldByThisThread(resourceId, options);
        return enclosing != null ? new NestedLockHandle(enclosing) : lock(resourceId, options);
    }

    void skipped(String resourceId, LockOptions options) {
        String storeName = client.resolveStoreName(options.storeName());
        sourceRecorders.recorder(storeName).skipped();
        if (logger.isDebugEnabled()) {
            logger.debug("Lock '" + resourceId + "' in store '" + storeName + "' is held by another owner; skipped ("
                    + sourceRecorders.source() + ")");
        }
    }

    /** The lock, or {@code null} when another owner held it for all of the wait time. */
    TemplateLockHandle lock(String resourceId, LockOptions options) {
        Objects.requireNonNull(options, "options");
        String storeName = client.resolveStoreName(options.storeName());
        int expire = options.expireSeconds() > 0 ? options.expireSeconds() : defaultExpireSeconds;
        if (options.expire() == null && !options.holdAtLeast().isZero()) {
            try {
                LockOptions.checkHoldAtLeast(options.holdAtLeast(), expire);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("holdAtLeast '" + options.holdAtLeast() + "' " + e.getMessage()
                        + " The lease is distributed-lock.default-expire here; set expire.", e);
            }
        }
        String owner = UUID.randomUUID().toString();
        long start = System.nanoTime();
        // Only configured stores are observed: an unknown name must not make meters either.
        LockObservation observation = client.storeNames().contains(storeName)
                ? sourceRecorders.observe(storeName, resourceId, owner) : LockObservation.NONE;
        long[] sentAt = new long[1];
        long token;
        try {
            token = acquirer.acquire(storeName, resourceId, owner, expire, options.waitNanos(), start, sentAt);
        } catch (RuntimeException | Error e) {
            // Only configured stores get meters: an unknown name must not create any.
            if (client.storeNames().contains(storeName)) {
                sourceRecorders.recorder(storeName).acquireFailed(System.nanoTime() - start);
            }
            observation.acquireFailed(e);
            throw e;
        }
        long lockedAt = System.nanoTime();
        LockMetrics.Recorder recorder = sourceRecorders.recorder(storeName);
        if (token == FencedLockStore.NOT_ACQUIRED) {
            recorder.notAcquired(lockedAt - start);
            observation.notAcquired();
            return null;
        }
        recorder.acquired(lockedAt - start);
        recorder = observation.acquired(recorder, token);
        WatchedLock watch = watchdog.watch(storeName, resourceId, owner, expire, token, recorder, options, sentAt[0],
                lockedAt);
        TemplateLockHandle lock = new TemplateLockHandle(client, recorder, heldLocks, storeName, resourceId, owner,
                expire, token, lockedAt, watch, sourceRecorders.source());
        lock.acquirer = acquirer;
        heldLocks.add(lock);
        return lock;
    }

    LockNotAcquiredException notAcquired(String resourceId, LockOptions options) {
        return new LockNotAcquiredException(resourceId, client.resolveStoreName(options.storeName()),
                options.waitNanos() == 0 ? "another owner holds it" : "another owner held it for all of the wait time");
    }
}
