package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;

/** The in-memory store behind wrappers that count calls or take capabilities away, for the template's tests. */
final class TestStores {

    private TestStores() {
    }

    /**
     * Whether another owner could take {@code resourceId} in {@code store} now (behind any counting wrapper, so the
     * probe is not counted); a lock it takes is released at once.
     */
    static boolean otherOwnerCanTake(LockStore store, DistributedLockClient client, String resourceId) {
        String key = client.key(resourceId);
        boolean taken = store.tryLock(key, "other-owner", 60);
        if (taken) {
            store.unlock(key, "other-owner");
        }
        return taken;
    }

    /** Counts TryLocks and Unlocks; can fail the next Unlock. No fencing tokens. */
    static class Counting extends CountingLockStore {

        final InMemoryLockStore locks;

        Counting(InMemoryLockStore locks) {
            super(locks);
            this.locks = locks;
        }
    }

    /** {@link Counting}, and signals releases as the in-memory store does. */
    static final class CountingAwaiting extends Counting implements ReleaseAwaitingLockStore {

        final AtomicInteger awaits = new AtomicInteger();

        CountingAwaiting(InMemoryLockStore locks) {
            super(locks);
        }

        @Override
        public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
            awaits.incrementAndGet();
            locks.awaitRelease(key, maxWait);
        }
    }
}
