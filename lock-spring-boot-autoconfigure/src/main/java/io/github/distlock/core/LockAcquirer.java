package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.spi.FencedLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The acquisition loop of every lock taken in this JVM (the template, and through it {@code @DistributedLock}):
 * TryLock; while another owner holds the lock and wait time is left, wait for the release (stores that signal it) or
 * back off, then TryLock again. Every store call goes through {@link DistributedLockClient}.
 */
final class LockAcquirer {

    private static final Log logger = LogFactory.getLog(LockAcquirer.class);

    /** First pause between tries when the store cannot signal a release; doubles up to {@link #MAX_BACKOFF_NANOS}. */
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Clean-up Unlocks queued at most; beyond that a store is down for good and leases end the locks. */
    private static final int CLEANUP_BACKLOG = 1024;

    private final DistributedLockClient client;
    /** Waiters of one lock in this JVM take turns: only one of them contends with the store. */
    private final LocalLockQueue queue = new LocalLockQueue();
    /** Releases that pass the lock straight to the next waiter of this JVM, where the store can. */
    private final LocalHandOver handOver;
    /** Clean-up Unlocks after failed TryLocks: one daemon thread, gone when idle, a bounded backlog. */
    private final ThreadPoolExecutor cleanup = cleanupExecutor();

    LockAcquirer(DistributedLockClient client) {
        this.client = client;
        this.handOver = new LocalHandOver(client, queue);
    }

    private static ThreadPoolExecutor cleanupExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(CLEANUP_BACKLOG), runnable -> {
                    Thread thread = new Thread(runnable, "distlock-unlock-after-failed-trylock");
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /**
     * Takes the lock for {@code owner}, trying again until {@code waitNanos} after {@code start} have passed.
     *
     * @param storeName a configured store's name (resolved)
     * @param sentAt    receives, in its first element, when the TryLock that answered last was sent
     *                  ({@link System#nanoTime()}): where the lease of a grant starts at the latest
     * @return the grant's fencing token, {@link DistributedLockClient#NO_FENCING_TOKEN} when the store has none, or
     *         {@link FencedLockStore#NOT_ACQUIRED} when another owner held the lock for all of the wait
     * @throws LockNotAcquiredException when the thread was interrupted before or while trying or waiting (the
     *                                  interrupt flag stays set): an interrupt is not a store failure, even when a
     *                                  blocking store client refused to work on the interrupted thread
     * @throws LockStoreException       when the store failed; a clean-up Unlock has been queued
     */
    long acquire(String storeName, String resourceId, String owner, int expireSeconds, long waitNanos, long start,
            long[] sentAt) {
        if (Thread.currentThread().isInterrupted()) {
            throw new LockNotAcquiredException(resourceId, storeName, "the thread was interrupted before it tried");
        }
        try {
            return waitNanos == 0 ? tryUntilDeadline(storeName, resourceId, owner, expireSeconds, 0, start, sentAt)
                    : tryInTurn(storeName, resourceId, owner, expireSeconds, start + waitNanos, sentAt);
        } catch (LockStoreException e) {
            releaseAfterFailedTryLock(storeName, resourceId, owner);
            if (Thread.currentThread().isInterrupted()) {
                throw new LockNotAcquiredException(resourceId, storeName, "interrupted while trying", e);
            }
            throw e;
        }
    }

    /** Waits for the lock's turn among this JVM's waiters ({@link LocalLockQueue}), then contends until the deadline. */
    private long tryInTurn(String storeName, String resourceId, String owner, int expireSeconds, long deadline,
            long[] sentAt) {
        LocalLockQueue.Waiter turn;
        try {
            turn = queue.join(storeName, resourceId, owner, expireSeconds, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockNotAcquiredException(resourceId, storeName, "interrupted while waiting", e);
        }
        if (turn == null) {
            return FencedLockStore.NOT_ACQUIRED;
        }
        if (turn.handedOver()) {
            // The holder's release handed the lock to this acquisition: granted as if by its own TryLock.
            sentAt[0] = turn.handedSentNanos();
            return turn.handedToken();
        }
        long token = FencedLockStore.NOT_ACQUIRED;
        try {
            long now = System.nanoTime();
            token = tryUntilDeadline(storeName, resourceId, owner, expireSeconds, Math.max(0, deadline - now), now,
                    sentAt);
        } finally {
            if (token != FencedLockStore.NOT_ACQUIRED) {
                queue.granted(turn, owner, sentAt[0]);
            } else {
                queue.pass(turn);
            }
        }
        return token;
    }

    /**
     * Releases the lock {@code owner} acquired here (instead of Unlock): handed straight to the next waiter of this
     * JVM where the store can ({@link LocalHandOver}), else by Unlock. Answers and throws as Unlock does.
     */
    LockStatus release(String storeName, String resourceId, String owner) {
        return handOver.release(storeName, resourceId, owner);
    }

    /**
     * The lock {@code owner} acquired here was released (or handed to its {@code holdAtLeast} lease): the next waiter
     * of this JVM contends for it.
     */
    void released(String storeName, String resourceId, String owner) {
        queue.released(storeName, resourceId, owner);
    }

    private long tryUntilDeadline(String storeName, String resourceId, String owner, int expireSeconds,
            long waitNanos, long start, long[] sentAt) {
        TryLockRequest request = new TryLockRequest(storeName, resourceId, owner, expireSeconds);
        sentAt[0] = start;
        long token = client.tryLockFenced(request);
        if (token != FencedLockStore.NOT_ACQUIRED || waitNanos == 0) {
            return token;
        }
        long deadline = start + waitNanos;
        long backoff = FIRST_BACKOFF_NANOS;
        // Bounded by the deadline: every pass waits or sleeps until at most the deadline.
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return FencedLockStore.NOT_ACQUIRED;
            }
            try {
                if (!client.awaitRelease(storeName, resourceId, Duration.ofNanos(remaining))) {
                    // Jitter spreads contenders that all failed at the same moment.
                    long pause = Math.min(remaining,
                            backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                    TimeUnit.NANOSECONDS.sleep(pause);
                    backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockNotAcquiredException(resourceId, storeName, "interrupted while waiting", e);
            }
            sentAt[0] = System.nanoTime();
            token = client.tryLockFenced(request);
            if (token != FencedLockStore.NOT_ACQUIRED) {
                return token;
            }
        }
    }

    /**
     * A TryLock that failed with a store error (a timeout, a dropped connection) may still have been applied by the
     * server, leaving this acquisition's lock held until its lease ends. The owner is this acquisition's own UUID, so
     * an Unlock can only ever remove that lock. It is sent in the background, so the caller's failure is not delayed
     * by a second timeout against a store that is likely down; if the store is still unreachable it fails quietly
     * and the lease ends the lock as before.
     */
    private void releaseAfterFailedTryLock(String storeName, String resourceId, String owner) {
        try {
            cleanup.execute(() -> {
                try {
                    LockStatus status = client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
                    if (status == LockStatus.SUCCESS) {
                        logger.info("Lock '" + resourceId + "' in store '" + storeName + "': the TryLock that failed "
                                + "had taken it after all; released it");
                    }
                } catch (RuntimeException e) {
                    logger.debug("Lock '" + resourceId + "' in store '" + storeName + "': no clean-up Unlock after a "
                            + "failed TryLock; a lock it may have taken ends with its lease", e);
                }
            });
        } catch (RejectedExecutionException e) {
            logger.debug("Clean-up Unlocks are backed up; lock '" + resourceId + "' ends with its lease", e);
        }
    }
}
