package io.github.distlock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.metrics.LockMetrics;

/**
 * What this JVM knows of one held lock while a {@link TemplateLockHandle} holds it: when the store last confirmed it
 * (the lease, counted on the monotonic clock from when that TryLock or LockKeepAlive was sent, so this view ends no
 * later than the store's), when it is due for renewal, whether it is lost and why, how many reentrant calls hold it,
 * and the thread to interrupt on a loss.
 *
 * <p>Threads: the holder (acquire, nested calls, release), the {@link LockWatchdog}'s ticker and renewal threads, a
 * store's thread reporting a loss, and any thread calling {@link io.github.distlock.api.LockHandle#renew()}. A loss
 * is decided once, by compare-and-set; a renewal and the release exclude each other through this object's monitor,
 * so that no renewal lands after the Unlock or the {@code holdAtLeast} LockKeepAlive.
 */
final class WatchedLock {

    private static final VarHandle LOSS;
    private static final VarHandle HOLDER;
    private static final VarHandle HOLD_COUNT;
    private static final VarHandle CONFIRMED;
    private static final VarHandle NEXT_RENEWAL;
    private static final VarHandle RENEWALS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOSS = lookup.findVarHandle(WatchedLock.class, "loss", Loss.class);
            HOLDER = lookup.findVarHandle(WatchedLock.class, "holder", Object.class);
            HOLD_COUNT = lookup.findVarHandle(WatchedLock.class, "holdCount", int.class);
            CONFIRMED = lookup.findVarHandle(WatchedLock.class, "confirmedNanos", long.class);
            NEXT_RENEWAL = lookup.findVarHandle(WatchedLock.class, "nextRenewalNanos", long.class);
            RENEWALS = lookup.findVarHandle(WatchedLock.class, "renewals", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #holder} states besides a thread: an interrupt is being delivered, was delivered, the call ended. */
    private static final Object INTERRUPTING = new Object();
    private static final Object INTERRUPTED = new Object();
    private static final Object ENDED = new Object();

    final LockWatchdog watchdog;
    final String storeName;
    final String resourceId;
    final String owner;
    final int expireSeconds;
    final long fencingToken;
    final LockMetrics.Recorder recorder;
    final boolean renew;
    final OnLockLost onLockLost;
    private final long leaseNanos;
    private final long renewIntervalNanos;
    private final long acquiredNanos;
    private final long holdAtLeastNanos;
    private final int hash = ThreadLocalRandom.current().nextInt();

    /** When the last successful TryLock or LockKeepAlive was sent. */
    private volatile long confirmedNanos;
    /** When the ticker hands the lock to a renewal thread next. */
    private volatile long nextRenewalNanos;
    /** The first renewal failure since the last success (wall clock), 0 while renewals succeed. */
    private volatile long failingSinceMillis;
    private volatile String lastFailure;
    /** A renewal is queued or running; set and cleared by the watchdog. */
    volatile boolean renewing;
    /** Released: nothing is renewed or reported any more. */
    private volatile boolean ended;
    private volatile Loss loss;
    private volatile int holdCount;
    /** LockKeepAlives that answered SUCCESS since the grant (renewals, {@code renew()}, checks before a commit). */
    private volatile int renewals;
    /** The thread running the locked call, for {@link OnLockLost#INTERRUPT}; or one of the states above. */
    private volatile Object holder;

    WatchedLock(LockWatchdog watchdog, String storeName, String resourceId, String owner, int expireSeconds,
            long fencingToken, LockMetrics.Recorder recorder, boolean renew, OnLockLost onLockLost,
            long holdAtLeastNanos, long acquiredNanos, long sentNanos) {
        this.watchdog = watchdog;
        this.storeName = storeName;
        this.resourceId = resourceId;
        this.owner = owner;
        this.expireSeconds = expireSeconds;
        this.fencingToken = fencingToken;
        this.recorder = recorder;
        this.renew = renew;
        this.onLockLost = onLockLost;
        this.leaseNanos = TimeUnit.SECONDS.toNanos(expireSeconds);
        this.renewIntervalNanos = leaseNanos / 3;
        this.holdAtLeastNanos = holdAtLeastNanos;
        this.acquiredNanos = acquiredNanos;
        // Plain writes: the lock reaches other threads only through the watchdog's concurrent set (or the handle's
        // final field), which publishes them; volatile stores here would cost the lock path a fence each.
        HOLD_COUNT.set(this, 1);
        CONFIRMED.set(this, sentNanos);
        NEXT_RENEWAL.set(this, nextRenewalAfter(sentNanos));
    }

    /** One tick early, so the renewal is sent no later than a third of the lease after the confirmation. */
    private long nextRenewalAfter(long confirmedAt) {
        return confirmedAt + renewIntervalNanos - LockWatchdog.TICK_NANOS;
    }

    boolean isHeld() {
        return loss == null;
    }

    boolean isEnded() {
        return ended;
    }

    int holdCount() {
        return holdCount;
    }

    void hold() {
        HOLD_COUNT.getAndAdd(this, 1);
    }

    void unhold() {
        HOLD_COUNT.getAndAdd(this, -1);
    }

    /** The store confirmed the lock with a request sent at {@code sentNanos}. */
    void confirmed(long sentNanos) {
        confirmedNanos = sentNanos;
        nextRenewalNanos = nextRenewalAfter(sentNanos);
        failingSinceMillis = 0;
    }

    /** A renewal failed with a store error: try again after a third of the renewal interval. */
    void failed(RuntimeException failure, long nowNanos) {
        if (failingSinceMillis == 0) {
            failingSinceMillis = System.currentTimeMillis();
        }
        lastFailure = failure.getMessage();
        nextRenewalNanos = nowNanos + renewIntervalNanos / 3;
    }

    /** Whether the lease, counted from the last confirmation, is over at {@code nowNanos}. */
    boolean leaseOver(long nowNanos) {
        return nowNanos - confirmedNanos >= leaseNanos;
    }

    /** Whether the last confirmation is younger than a tenth of the lease: then it stands in for asking the store. */
    boolean confirmedRecently(long nowNanos) {
        return nowNanos - confirmedNanos < leaseNanos / 10;
    }

    /** The lease left at {@code nowNanos} by this JVM's clock, counted from the last confirmation; 0 once over. */
    long leaseLeftNanos(long nowNanos) {
        return Math.max(0, leaseNanos - (nowNanos - confirmedNanos));
    }

    int renewals() {
        return renewals;
    }

    boolean renewalDue(long nowNanos) {
        return nowNanos - nextRenewalNanos >= 0;
    }

    /** One renewal, on a renewal thread: LockKeepAlive for the whole lease, unless released or lost meanwhile. */
    void renewNow() {
        synchronized (this) {
            if (ended || loss != null) {
                return;
            }
            long sent = System.nanoTime();
            LockStatus status;
            try {
                status = watchdog.client.keepAlive(new LockKeepAliveRequest(storeName, resourceId, owner,
                        expireSeconds)).status();
            } catch (LockStoreException e) {
                recorder.keepAliveFailed();
                failed(e, System.nanoTime());
                return;
            }
            recorder.keepAliveAnswered(status);
            answered(status, sent);
        }
    }

    /** A LockKeepAlive sent at {@code sentNanos} answered {@code status}. */
    void answered(LockStatus status, long sentNanos) {
        if (status == LockStatus.SUCCESS) {
            RENEWALS.getAndAdd(this, 1);
            confirmed(sentNanos);
        } else {
            lose(LockLossCause.KEEP_ALIVE_REFUSED, "LockKeepAlive answered " + status
                    + " (the lock was removed, or its lease ran out, and another owner may hold it now)");
        }
    }

    /** The lease ran out with no confirmation: renewals failed (or hung), or renewal is off. */
    void leaseRanOut() {
        if (renew) {
            String since = failingSinceMillis == 0 ? "renewals got no answer"
                    : "renewals failed since " + Instant.ofEpochMilli(failingSinceMillis) + " (" + lastFailure + ")";
            lose(LockLossCause.STORE_FAILING, since + " until its lease of " + expireSeconds + "s was over by this "
                    + "JVM's clock");
        } else {
            lose(LockLossCause.LEASE_EXPIRED, "its lease of " + expireSeconds + "s ran out while it was held "
                    + "(renewal is off)");
        }
    }

    /** Marks the lock lost, once; the first caller reports it. Nothing happens once it was released. */
    boolean lose(LockLossCause cause, String detail) {
        if (ended || !LOSS.compareAndSet(this, null, new Loss(cause, detail, Instant.now()))) {
            return false;
        }
        watchdog.lost(this);
        return true;
    }

    /** The release: stops renewing (waiting for a renewal under way) and returns the seconds to keep, or 0. */
    int end() {
        ended = true;
        if (renewing) {
            // A renewal queued before it saw 'ended' returns at once; one under way is waited for, so that its
            // LockKeepAlive does not land after the Unlock or the holdAtLeast LockKeepAlive.
            synchronized (this) {
                // entered once renewNow has left
            }
        }
        watchdog.unwatch(this);
        if (holdAtLeastNanos == 0) {
            return 0;
        }
        long rest = holdAtLeastNanos - (System.nanoTime() - acquiredNanos);
        // The Lock API counts whole seconds: round up, so the lock lasts at least holdAtLeast.
        return rest <= 0 ? 0 : (int) Math.max(1, (rest + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    /** The locked call starts on this thread; with {@link OnLockLost#INTERRUPT} a loss interrupts it. */
    void enter() {
        if (onLockLost == OnLockLost.INTERRUPT) {
            holder = Thread.currentThread();
            if (loss != null) {
                interruptHolder(); // lost before the call began
            }
        }
    }

    /** The locked call ended: no interrupt reaches the thread after this, and one delivered is cleared. */
    void exit() {
        if (onLockLost != OnLockLost.INTERRUPT) {
            return;
        }
        // Bounded: an interrupt being delivered ends within a few instructions.
        while (true) {
            Object state = holder;
            if (state == INTERRUPTED) {
                Thread.interrupted();
                break;
            }
            if (state != INTERRUPTING && HOLDER.compareAndSet(this, state, ENDED)) {
                return;
            }
            Thread.onSpinWait();
        }
        holder = ENDED;
    }

    /**
     * Work not bound to a thread (a future, a reactive pipeline) holds the lock: a loss runs {@code onLoss} (once, on
     * the thread that found the loss; it must return quickly) instead of interrupting a thread.
     */
    void enterWork(Runnable onLoss) {
        holder = onLoss;
        if (loss != null) {
            interruptHolder(); // lost before the work began
        }
    }

    /** Interrupts the thread of the locked call, if it is still running (or tells the work of {@link #enterWork}). */
    void interruptHolder() {
        Object state = holder;
        if (state instanceof Thread thread && HOLDER.compareAndSet(this, state, INTERRUPTING)) {
            thread.interrupt();
            holder = INTERRUPTED;
        } else if (!(state instanceof Thread) && state instanceof Runnable onLoss && HOLDER.compareAndSet(this, state, ENDED)) {
            onLoss.run();
        }
    }

    /** What the locked call must throw after it ended, by {@link OnLockLost}; null when nothing. */
    LockLostException failureAfterCall() {
        Loss lost = loss;
        return lost == null || onLockLost == OnLockLost.CONTINUE ? null : lostException();
    }

    LockLostException lostException() {
        Loss lost = loss;
        return new LockLostException(resourceId, storeName, lost.cause, lost.detail);
    }

    /** The loss in words, or null while held. */
    String lossDetail() {
        Loss lost = loss;
        return lost == null ? null : lost.detail;
    }

    LockLossCause lossCause() {
        Loss lost = loss;
        return lost == null ? null : lost.cause;
    }

    LockLostEvent lostEvent() {
        Loss lost = loss;
        return new LockLostEvent(storeName, resourceId, owner, lost.cause, lost.detail,
                fencingToken == DistributedLockClient.NO_FENCING_TOKEN ? OptionalLong.empty()
                        : OptionalLong.of(fencingToken), lost.at);
    }

    @Override
    public int hashCode() {
        return hash; // set membership by identity; cheaper than the identity hash on the hot path
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    private record Loss(LockLossCause cause, String detail, Instant at) {
    }
}
