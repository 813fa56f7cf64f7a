package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

/**
 * A real store (fenced, signalling releases) behind a wrapper that counts what is sent to it: TryLocks, Unlocks and
 * waits for a release. Only counts; every call goes to the store unchanged.
 */
public final class CountingWaitingStore implements ReleaseAwaitingLockStore, FencedLockStore {

    private final FencedLockStore delegate;
    public final AtomicLong tryLocks = new AtomicLong();
    public final AtomicLong unlocks = new AtomicLong();
    public final AtomicLong awaits = new AtomicLong();

    /** @param delegate a store that is both a {@link FencedLockStore} and a {@link ReleaseAwaitingLockStore} */
    public CountingWaitingStore(LockStore delegate) {
        if (!(delegate instanceof FencedLockStore fenced) || !(delegate instanceof ReleaseAwaitingLockStore)) {
            throw new IllegalArgumentException(delegate + " neither hands out fencing tokens nor signals releases");
        }
        this.delegate = fenced;
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        tryLocks.incrementAndGet();
        return delegate.tryLock(key, owner, expireSeconds);
    }

    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        tryLocks.incrementAndGet();
        return delegate.tryLockFenced(key, owner, expireSeconds);
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        unlocks.incrementAndGet();
        return delegate.unlock(key, owner);
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        return delegate.keepAlive(key, owner, expireSeconds);
    }

    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        awaits.incrementAndGet();
        ((ReleaseAwaitingLockStore) delegate).awaitRelease(key, maxWait);
    }
}
