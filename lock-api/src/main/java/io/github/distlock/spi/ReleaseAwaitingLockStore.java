package io.github.distlock.spi;

import java.time.Duration;

/**
 * Optional capability: a store that can tell a waiter when a lock is released, so that a wait for a lock
 * ({@code LockTemplate} with a wait time, {@code @DistributedLock(waitTime = ...)}) wakes on the release instead of
 * polling.
 */
public interface ReleaseAwaitingLockStore extends LockStore {

    /**
     * Blocks until {@code key} is released or its lease runs out, or {@code maxWait} has passed, whichever is first.
     * Returning is a hint, not a grant: the caller tries the lock again and may lose the race. Returns at once when
     * the key is free. May also return earlier when the store cannot read the key at all (its server unreachable,
     * say): the caller's next TryLock then tells. Never blocks past {@code maxWait}.
     *
     * @throws InterruptedException when the thread is interrupted, before or while waiting; nothing is left
     *                              registered for the waiter
     */
    void awaitRelease(String key, Duration maxWait) throws InterruptedException;
}
