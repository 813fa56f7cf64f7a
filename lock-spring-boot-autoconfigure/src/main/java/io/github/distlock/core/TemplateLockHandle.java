package io.github.distlock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.OptionalLong;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.metrics.LockMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** A lock taken by {@link LockTemplate}; Unlock and LockKeepAlive go through the client, outcomes to the recorder. */
final class TemplateLockHandle implements LockHandle {

    private static final Log logger = LogFactory.getLog(LockTemplate.class);
    private static final VarHandle RELEASE_CLAIMED;

    static {
        try {
            RELEASE_CLAIMED = MethodHandles.lookup().findVarHandle(TemplateLockHandle.class, "releaseClaimed",
                    boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DistributedLockClient client;
    private final LockMetrics.Recorder recorder;
    private final HeldLocks heldLocks;
    private final String storeName;
    private final String resourceId;
    private final String owner;
    private final int expireSeconds;
    /** A positive fencing token, or {@link DistributedLockClient#NO_FENCING_TOKEN}. */
    private final long fencingToken;
    private final long acquiredNanos;
    private final long acquiredMillis;
    /** The metrics source of the template that took it: template, annotation, ... */
    final String source;
    /** The watchdog's view: renewal, loss, reentrant holds, {@code holdAtLeast}. */
    final WatchedLock watch;
    /** Set by the first release, which alone sends Unlock. */
    private volatile boolean releaseClaimed;
    /** Unlock's answer, once known; {@link LockStatus#INTERNAL_ERROR} when it failed. */
    private volatile LockStatus releaseStatus;
    /** The handle this one is nested in on its thread, while bound in {@link CurrentLock}. */
    TemplateLockHandle outer;
    /** Told of the release, to hand the lock's turn to the next waiter of this JVM; set before the handle is shared. */
    LockAcquirer acquirer;

    TemplateLockHandle(DistributedLockClient client, LockMetrics.Recorder recorder, HeldLocks heldLocks,
            String storeName, String resourceId, String owner, int expireSeconds, long fencingToken,
            long acquiredNanos, WatchedLock watch, String source) {
        this.client = client;
        this.recorder = recorder;
        this.heldLocks = heldLocks;
        this.storeName = storeName;
        this.resourceId = resourceId;
        this.owner = owner;
        this.expireSeconds = expireSeconds;
        this.fencingToken = fencingToken;
        this.acquiredNanos = acquiredNanos;
        this.acquiredMillis = System.currentTimeMillis();
        this.watch = watch;
        this.source = source;
    }

    @Override
    public String storeName() {
        return storeName;
    }

    @Override
    public String resourceId() {
        return resourceId;
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public int expireSeconds() {
        return expireSeconds;
    }

    @Override
    public Instant acquiredAt() {
        return Instant.ofEpochMilli(acquiredMillis);
    }

    @Override
    public OptionalLong fencingToken() {
        return fencingToken == DistributedLockClient.NO_FENCING_TOKEN ? OptionalLong.empty()
                : OptionalLong.of(fencingToken);
    }

    @Override
    public boolean isHeld() {
        return !releaseClaimed && watch.isHeld();
    }

    @Override
    public int holdCount() {
        return releaseClaimed ? 0 : watch.holdCount();
    }

    @Override
    public LockStatus renew() {
        if (releaseClaimed) {
            throw new IllegalStateException(this + " was released; acquire the lock again");
        }
        long sent = System.nanoTime();
        LockStatus status;
        try {
            status = keepAlive();
        } catch (LockStoreException e) {
            watch.failed(e, System.nanoTime());
            throw e;
        }
        watch.answered(status, sent);
        return status;
    }

    /** One LockKeepAlive for the lease, recorded. */
    LockStatus keepAlive() {
        LockStatus status;
        try {
            status = client.keepAlive(new LockKeepAliveRequest(storeName, resourceId, owner, expireSeconds)).status();
        } catch (LockStoreException e) {
            recorder.keepAliveFailed();
            throw e;
        }
        recorder.keepAliveAnswered(status);
        return status;
    }

    @Override
    public LockStatus release() {
        if (!RELEASE_CLAIMED.compareAndSet(this, false, true)) {
            LockStatus first = releaseStatus;
            return first != null ? first : LockStatus.INTERNAL_ERROR;
        }
        int keepSeconds = watch.end();
        // An interrupted thread still releases: clear the flag so blocking store clients do not refuse, then restore it.
        boolean interrupted = Thread.interrupted();
        try {
            LockStatus status;
            if (keepSeconds > 0) {
                // holdAtLeast: the lease ends then instead (client directly: not counted as a renewal).
                status = client.keepAlive(new LockKeepAliveRequest(storeName, resourceId, owner, keepSeconds))
                        .status();
                recorder.releasedByKeepAlive(status, System.nanoTime() - acquiredNanos);
            } else {
                status = acquirer != null ? acquirer.release(storeName, resourceId, owner)
                        : client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
                recorder.released(status, System.nanoTime() - acquiredNanos);
            }
            releaseStatus = status;
            if (status != LockStatus.SUCCESS) {
                warnNotHeldAtRelease((keepSeconds > 0 ? "LockKeepAlive for holdAtLeast" : "Unlock") + " answered "
                        + status);
            }
            return status;
        } catch (RuntimeException e) {
            releaseStatus = LockStatus.INTERNAL_ERROR;
            recorder.releaseFailed(System.nanoTime() - acquiredNanos);
            throw e;
        } finally {
            heldLocks.remove(this);
            if (acquirer != null) {
                acquirer.released(storeName, resourceId, owner);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * An operator's release while the holder still runs ({@link HeldLocks#forceRelease}): marks the lock lost, so
     * the holder is told as of any loss, then sends its owner's Unlock.
     *
     * @return Unlock's answer, or {@code null} when the holder had released it already (nothing is sent)
     * @throws LockStoreException when the Unlock failed; the lock, no longer renewed, ends with its lease
     */
    LockStatus forceRelease(String detail) {
        if (releaseClaimed) {
            return null;
        }
        watch.lose(LockLossCause.FORCE_RELEASED, detail);
        return client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
    }

    private void warnNotHeldAtRelease(String answer) {
        String lost = watch.lossDetail();
        String why = lost != null ? "it was lost while it was held (" + lost + ")"
                : "its lease expired while it was held";
        String advice = watch.lossCause() == LockLossCause.FORCE_RELEASED ? "An operator released it."
                : watch.renew ? "Renewal was on: look for pauses longer than the lease, or a store that lost it."
                : "Raise 'expire' above the longest time it is held, or leave renewal on.";
        logger.warn("Lock '" + resourceId + "' in store '" + storeName + "' was no longer held by its owner when "
                + "released (" + answer + "): " + why + ", so another owner may have held it at the same time. "
                + advice);
    }

    @Override
    public void close() {
        releaseAfter(null);
    }

    /**
     * Releases without throwing: a store failure is logged and, when {@code failure} (the work's own exception) is
     * given, added to it as suppressed, so the work's outcome is what the caller sees.
     */
    void releaseAfter(Throwable failure) {
        try {
            release();
        } catch (RuntimeException e) {
            logger.warn("Lock '" + resourceId + "' in store '" + storeName + "' could not be released; it ends "
                    + "when its lease expires", e);
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "Lock '" + resourceId + "' in store '" + storeName + "' (owner " + owner + ")";
    }
}
