package io.github.distlock.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockHandle;

/**
 * The locks this JVM holds through {@link LockTemplate} (and so through {@code @DistributedLock}) and has not
 * released yet: added when a lock is acquired, removed once its Unlock has been answered (or has failed). Locks taken over the raw Lock API
 * ({@link DistributedLockClient}, the gRPC service) are not here: a later, unrelated request releases them.
 *
 * <p>Adding and removing cost one concurrent-set operation each; a waiter for the set to drain is woken only when
 * there is one.
 */
public final class HeldLocks {

    private final Set<LockHandle> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger drainWaiters = new AtomicInteger();

    void add(LockHandle lock) {
        held.add(lock);
    }

    void remove(LockHandle lock) {
        held.remove(lock);
        if (drainWaiters.get() > 0 && held.isEmpty()) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** How many locks are held now. */
    public int size() {
        return held.size();
    }

    /** The locks held now, in no particular order; a copy. */
    public List<LockHandle> snapshot() {
        return List.copyOf(held);
    }

    /**
     * Waits until no lock is held, or {@code timeout} has passed.
     *
     * @return whether every lock was released in time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitReleased(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        drainWaiters.incrementAndGet();
        try {
            synchronized (this) {
                // Bounded by the deadline; a removal that empties the set notifies under this monitor.
                while (!held.isEmpty()) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
                }
                return true;
            }
        } finally {
            drainWaiters.decrementAndGet();
        }
    }
}
