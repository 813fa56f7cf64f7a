package io.github.distlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.spi.LockLossReporting;
import io.github.distlock.spi.LockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Keeps the locks of {@link LockTemplate} (and so of {@code @DistributedLock}) while they are held, one instance for
 * all of them: renews each lease with LockKeepAlive every third of it, and tells the holder when a lock is lost.
 *
 * <p>One ticker thread looks at every held lock every {@value #TICK_MILLIS} ms: a lock due for renewal goes to its
 * store's queue, drained by at most {@value #RENEWALS_PER_STORE} of {@value #RENEWAL_THREADS} renewal threads (so
 * a store that hangs cannot hold up the renewals of another); a lock whose lease, counted from its last confirmation
 * on this JVM's monotonic clock, is over is lost. Taking and releasing a lock costs one add to and one remove from a
 * concurrent set; nothing is scheduled or cancelled per lock. Stores that report lost locks
 * ({@link LockLossReporting}, ZooKeeper) are listened to.
 *
 * <p>A loss (LockKeepAlive answered anything but SUCCESS, the store failing until the lease was over, renewal off and
 * the lease over, the store reporting it): {@link LockHandle#isHeld()} turns false, the holder's thread is interrupted
 * when it asked for that, a WARN names the key, store and cause, {@code distributed.lock.lost} counts it, and a
 * {@link LockLostEvent} goes to the listener given, on a thread of its own.
 *
 * <p>Threads are daemons, started at the first lock and ended by {@link #close()}. As a Spring bean it stops renewing
 * when the context stops, in phase {@value #PHASE}: after other lifecycles (web server graceful shutdown, executors)
 * have let the work they wait for finish under renewed leases.
 */
public class LockWatchdog implements SmartLifecycle, AutoCloseable {

    /** Lifecycle phase: among the last to stop, so locked work that shutdown waits for keeps its leases. */
    public static final int PHASE = Integer.MIN_VALUE + 1000;

    static final long TICK_MILLIS = 50;
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    static final int RENEWAL_THREADS = 4;
    static final int RENEWALS_PER_STORE = RENEWAL_THREADS - 1;

    private static final Log logger = LogFactory.getLog(LockWatchdog.class);

    final DistributedLockClient client;
    private final LockMetrics metrics;
    private final boolean renewalEnabled;
    private final Consumer<? super LockLostEvent> lossListener;
    private final Set<WatchedLock> watched = ConcurrentHashMap.newKeySet();
    private final Map<String, StoreQueue> queues = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor renewals = daemonPool(RENEWAL_THREADS, "distlock-renewal");
    private final ThreadPoolExecutor lossEvents = daemonPool(1, "distlock-lock-lost");
    private final Map<LockLossReporting, LockLossReporting.LockLossListener> storeListeners = new ConcurrentHashMap<>();
    private volatile Thread ticker;
    private volatile boolean stopped;
    private volatile boolean closed;

    /**
     * @param client         where renewals go; stores implementing {@link LockLossReporting} are listened to from
     *                       now until {@link #close()}
     * @param metrics        where losses of locks without a handle are counted ({@link LockMetrics#SOURCE_STORE})
     * @param renewalEnabled {@code distributed-lock.renewal.enabled}: {@code false} renews nothing, whatever the
     *                       options say (losses are still detected: the lease running out, the store's reports)
     * @param lossListener   receives every {@link LockLostEvent}, on the watchdog's event thread
     */
    public LockWatchdog(DistributedLockClient client, LockMetrics metrics, boolean renewalEnabled,
            Consumer<? super LockLostEvent> lossListener) {
        this.client = Objects.requireNonNull(client, "client");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.renewalEnabled = renewalEnabled;
        this.lossListener = Objects.requireNonNull(lossListener, "lossListener");
        for (String storeName : client.storeNames()) {
            LockStore store = client.store(storeName);
            if (store instanceof LockLossReporting reporting) {
                LockLossReporting.LockLossListener listener = (key, owner, reason) ->
                        storeReportedLoss(storeName, key, owner, reason);
                reporting.addLockLossListener(listener);
                storeListeners.put(reporting, listener);
            }
        }
    }

    /** Renewing, without metrics or events. */
    public LockWatchdog(DistributedLockClient client) {
        this(client, LockMetrics.NOOP, true, event -> {
        });
    }

    private static ThreadPoolExecutor daemonPool(int threads, String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Whether leases are renewed at all ({@code distributed-lock.renewal.enabled}). */
    public boolean isRenewalEnabled() {
        return renewalEnabled;
    }

    /** Locks watched now: held, not lost. */
    public int watchedCount() {
        return watched.size();
    }

    /**
     * Checks, before a commit say, that {@code lock} is still held: by the watchdog's state when the store confirmed
     * the lock within the last tenth of its lease, otherwise by one LockKeepAlive (which also renews it). A store
     * error while the lease is not over by this JVM's clock passes (the lock is still the holder's unless the store
     * lost it); once it is over, the lock is lost.
     *
     * @throws LockLostException when the lock is lost, now or before; the loss is reported as any other
     * @throws IllegalStateException when {@code lock} was released
     */
    public static void verifyHeld(LockHandle lock) {
        if (!(lock instanceof TemplateLockHandle handle)) {
            if (!lock.isHeld()) {
                throw new IllegalStateException(lock + " was released or lost");
            }
            return;
        }
        WatchedLock watch = handle.watch;
        if (watch.isEnded()) {
            throw new IllegalStateException(handle + " was released");
        }
        long sent = System.nanoTime();
        if (watch.isHeld() && !watch.confirmedRecently(sent)) {
            LockStatus status;
            try {
                status = handle.keepAlive();
            } catch (LockStoreException e) {
                watch.failed(e, System.nanoTime());
                if (watch.leaseOver(System.nanoTime())) {
                    watch.leaseRanOut();
                }
                status = null;
            }
            if (status != null) {
                watch.answered(status, sent);
            }
        }
        if (!watch.isHeld()) {
            throw watch.lostException();
        }
    }

    /** Starts watching a lock just acquired (TryLock sent at {@code sentNanos}); the hot path: one set add. */
    WatchedLock watch(String storeName, String resourceId, String owner, int expireSeconds, long fencingToken,
            LockMetrics.Recorder recorder, LockOptions options, long sentNanos, long acquiredNanos) {
        WatchedLock lock = new WatchedLock(this, storeName, resourceId, owner, expireSeconds, fencingToken, recorder,
                renewalEnabled && options.renewal(), options.onLockLost(), options.holdAtLeast().toNanos(),
                acquiredNanos, sentNanos);
        watched.add(lock);
        if (ticker == null) {
            startTicker();
        }
        return lock;
    }

    /** Stops watching a lock being released. */
    void unwatch(WatchedLock lock) {
        watched.remove(lock);
    }

    /** {@code lock} was just marked lost: tell its holder, the log, the metrics and the listener. */
    void lost(WatchedLock lock) {
        watched.remove(lock);
        lock.interruptHolder();
        lock.recorder.lost();
        logger.warn("Lock '" + lock.resourceId + "' in store '" + lock.storeName + "' (owner " + lock.owner
                + ") was lost while it was held: " + lock.lossDetail() + ". Its holder is told (isHeld() is false"
                + (lock.onLockLost == OnLockLost.CONTINUE ? ""
                : ", onLockLost = " + lock.onLockLost) + "); another owner may run the same work now.");
        LockLostEvent event = lock.lostEvent();
        try {
            lossEvents.execute(() -> {
                try {
                    lossListener.accept(event);
                } catch (RuntimeException e) {
                    logger.warn("A listener of " + event + " failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            logger.debug("Closed: " + event + " is not published", e);
        }
    }

    private void storeReportedLoss(String storeName, String key, String owner, String reason) {
        for (WatchedLock lock : watched) {
            if (lock.owner.equals(owner) && lock.storeName.equals(storeName)) {
                lock.lose(LockLossCause.STORE_REPORTED, reason);
                return;
            }
        }
        metrics.storeReportedLoss(storeName); // over gRPC or the client directly: the store's own WARN names it
    }

    private synchronized void startTicker() {
        if (ticker != null || stopped || closed) {
            return;
        }
        Thread thread = new Thread(this::tickUntilStopped, "distlock-watchdog");
        thread.setDaemon(true);
        ticker = thread;
        thread.start();
    }

    private void tickUntilStopped() {
        // Bounded by stop()/close(), which end the loop and unpark the thread.
        while (!stopped && !closed) {
            try {
                tick(System.nanoTime());
            } catch (RuntimeException | Error e) {
                logger.error("Lock watchdog tick failed; going on", e);
            }
            LockSupport.parkNanos(this, TICK_NANOS);
        }
    }

    /** One look at every watched lock: queue due renewals, report leases run out, start renewal threads. */
    private void tick(long now) {
        for (WatchedLock lock : watched) {
            if (lock.isEnded() || !lock.isHeld()) {
                watched.remove(lock);
            } else if (lock.leaseOver(now)) {
                lock.leaseRanOut();
            } else if (lock.renew && !lock.renewing && lock.renewalDue(now)) {
                lock.renewing = true;
                queues.computeIfAbsent(lock.storeName, name -> new StoreQueue()).due.add(lock);
            }
        }
        for (StoreQueue queue : queues.values()) {
            queue.startRenewing();
        }
    }

    /** The locks of one store due for renewal, and how many renewal threads drain them now. */
    private final class StoreQueue {

        final ConcurrentLinkedQueue<WatchedLock> due = new ConcurrentLinkedQueue<>();
        final AtomicInteger draining = new AtomicInteger();

        /** On the ticker: adds drainers up to the store's share; one that just quit is made up for next tick. */
        void startRenewing() {
            while (!due.isEmpty() && draining.get() < RENEWALS_PER_STORE) {
                draining.incrementAndGet();
                try {
                    renewals.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    draining.decrementAndGet();
                    return;
                }
            }
        }

        private void drain() {
            try {
                // Bounded by the queue: each lock is queued at most once until its renewal is done.
                for (WatchedLock lock = due.poll(); lock != null && !stopped; lock = due.poll()) {
                    try {
                        lock.renewNow();
                    } catch (RuntimeException e) {
                        logger.warn("Renewal of lock '" + lock.resourceId + "' in store '" + lock.storeName
                                + "' failed unexpectedly", e);
                    } finally {
                        lock.renewing = false;
                    }
                }
            } finally {
                draining.decrementAndGet();
            }
        }
    }

    @Override
    public void start() {
        stopped = false;
        if (!watched.isEmpty()) {
            startTicker();
        }
    }

    /** Stops renewing and watching: held locks keep their leases until these run out or they are released. */
    @Override
    public void stop() {
        stopped = true;
        Thread thread;
        synchronized (this) {
            thread = ticker;
            ticker = null;
        }
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public boolean isRunning() {
        return !stopped;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Stops, stops listening to the stores, and ends the threads. */
    @Override
    public void close() {
        closed = true;
        stop();
        storeListeners.forEach(LockLossReporting::removeLockLossListener);
        storeListeners.clear();
        renewals.shutdownNow();
        lossEvents.shutdown();
    }

    /** The held locks, for tests and diagnostics. */
    List<WatchedLock> watchedLocks() {
        return new ArrayList<>(watched);
    }
}
