package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;

/** The in-memory store behind wrappers that count calls or take capabilities away, for the template's tests. */
final class TestStores {

    private TestStores() {
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
