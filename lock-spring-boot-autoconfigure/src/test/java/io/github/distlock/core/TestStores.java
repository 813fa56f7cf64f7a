package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;

/** The in-memory store behind wrappers that count calls or take capabilities away, for the template's tests. */
final class TestStores {

    private TestStores() {
    }

    /** Counts TryLocks and Unlocks; can fail the next Unlock. No fencing tokens. */
    static class Counting implements LockStore {

        final InMemoryLockStore locks;
        final AtomicInteger tryLocks = new AtomicInteger();
        final AtomicInteger unlocks = new AtomicInteger();
        final AtomicBoolean failNextUnlock = new AtomicBoolean();

        Counting(InMemoryLockStore locks) {
            this.locks = locks;
        }

        @Override
        public boolean tryLock(String key, String owner, int expireSeconds) {
            tryLocks.incrementAndGet();
            return locks.tryLock(key, owner, expireSeconds);
        }

        @Override
        public LockStatus unlock(String key, String owner) {
            unlocks.incrementAndGet();
            if (failNextUnlock.getAndSet(false)) {
                throw new IllegalStateException("connection reset during Unlock");
            }
            return locks.unlock(key, owner);
        }

        @Override
        public LockStatus keepAlive(String key, String owner, int expireSeconds) {
            return locks.keepAlive(key, owner, expireSeconds);
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
