package io.github.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;

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
     * The locks held now, with their lease, renewals and source, in no particular order (for the {@code locks}
     * actuator endpoint). A lock released meanwhile is left out.
     */
    public List<HeldLock> describe() {
        long now = System.nanoTime();
        List<HeldLock> locks = new ArrayList<>(held.size());
        for (LockHandle lock : held) {
            if (lock instanceof TemplateLockHandle template && !template.watch.isEnded()) {
                WatchedLock watch = template.watch;
                locks.add(new HeldLock(lock.storeName(), lock.resourceId(), lock.owner(), template.source,
                        lock.acquiredAt(), lock.expireSeconds(), Duration.ofNanos(watch.leaseLeftNanos(now)),
                        watch.renewals(), lock.holdCount(), lock.fencingToken(), lock.isHeld()));
            }
        }
        return locks;
    }

    /**
     * Releases a lock this instance holds now, on an operator's behalf, while its holder still runs: the lock is
     * marked lost ({@code LockLossCause.FORCE_RELEASED}), so its holder is told as of any loss ({@code isHeld()}
     * turns false, {@code onLockLost} applies, a WARN and a {@code LockLostEvent}), then its own owner's Unlock is
     * sent. Only locks of this instance can be named: the owner is a fresh UUID per acquisition, and the store
     * removes a lock only for its owner, so no one else's lock is ever released.
     *
     * @param owner  the owner of the lock ({@link HeldLock#owner()})
     * @param reason who asked and how, for the holder's loss report (e.g. "force-released by 'alice' through the
     *               locks endpoint")
     * @return Unlock's answer ({@link LockStatus#LOCK_UNEXIST} when its lease had run out already); empty when no
     *         lock of this instance has that owner, or its holder released it first
     * @throws LockStoreException when the Unlock failed: the lock is no longer renewed and ends with its lease
     */
    public Optional<LockStatus> forceRelease(String owner, String reason) {
        for (LockHandle lock : held) {
            if (lock instanceof TemplateLockHandle template && lock.owner().equals(owner)) {
                return Optional.ofNullable(template.forceRelease(reason));
            }
        }
        return Optional.empty();
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
