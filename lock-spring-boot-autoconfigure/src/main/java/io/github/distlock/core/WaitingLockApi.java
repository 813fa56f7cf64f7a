package io.github.distlock.core;

import java.time.Duration;
import java.util.Objects;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.spi.FencedLockStore;

/**
 * The Lock API's TryLock with a wait, for callers that bring their own {@code lock_owner} (the gRPC Lock API): it
 * waits the way {@code @DistributedLock(waitTime)} and {@link LockTemplate#acquire} do, in the same line of this
 * JVM's waiters for the resource ({@link LocalLockQueue}), woken by the store's release signal where it has one, but
 * for the request's owner and without reentrancy (a lock held by the owner itself is refused to it, as by TryLock).
 *
 * <p>A lock taken this way is the caller's: it is released only by the caller's {@link #unlock} (or its lease
 * running out), never handed from it to another waiter. A releasing {@link LockTemplate} holder may hand its lock to
 * a waiting caller's owner: that is this TryLock's grant, with the hand-over's fencing token. Release through
 * {@link #unlock} (not {@link DistributedLockClient#unlock}) so that this JVM's next waiter contends at once rather
 * than when the caller's lease would have ended.
 *
 * <p>Thread-safe. Waiting blocks the calling thread; an interrupt ends it at once.
 */
public final class WaitingLockApi {

    private final DistributedLockClient client;
    private final LockAcquirer acquirer;

    /** Waiting in the same line as {@code template}'s acquisitions (and so {@code @DistributedLock}'s). */
    public WaitingLockApi(LockTemplate template) {
        this.client = template.client();
        this.acquirer = template.acquirer();
    }

    /** Waiting in a line of its own: waiters of this instance queue together, not with any template's. */
    public WaitingLockApi(DistributedLockClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.acquirer = new LockAcquirer(client);
    }

    /**
     * TryLock, tried again until {@code wait} has passed while another owner holds the lock.
     *
     * @param wait how long to wait; zero: one TryLock, as {@link DistributedLockClient#tryLockFenced}
     * @return as {@link DistributedLockClient#tryLockFenced}: the fencing token, {@link
     *         DistributedLockClient#NO_FENCING_TOKEN}, or {@link FencedLockStore#NOT_ACQUIRED} when another owner
     *         held the lock for all of the wait
     * @throws io.github.distlock.api.InvalidLockRequestException for a blank resource id or owner, {@code expire <=
     *                                                             0} or an unknown store, before any wait
     * @throws LockNotAcquiredException when the thread was interrupted before or while waiting (the flag stays
     *                                  set); when a lock was granted just as it was interrupted, this returns its
     *                                  token instead, with the flag set
     * @throws LockStoreException       when the store failed; an Unlock for the owner has been queued in the
     *                                  background, in case the store applied the TryLock
     */
    public long tryLock(TryLockRequest request, Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, got " + wait);
        }
        String storeName = client.resolveStoreName(request.storeName());
        client.store(storeName);
        client.checkedKey(request); // fails before the caller queues behind anyone
        return acquirer.acquire(storeName, request.resourceId(), request.lockOwner(), request.expire(),
                wait.toNanos(), System.nanoTime(), new long[1]);
    }

    /**
     * Unlock, as {@link DistributedLockClient#unlock}; when the owner held the lock through this JVM's line, the
     * next waiter in it contends at once.
     */
    public LockStatus unlock(UnlockRequest request) {
        try {
            return client.unlock(request).status();
        } finally {
            // Also after a failure: the next waiter then finds the lock held or free on the store itself.
            acquirer.released(client.resolveStoreName(request.storeName()), request.resourceId(),
                    request.lockOwner());
        }
    }
}
