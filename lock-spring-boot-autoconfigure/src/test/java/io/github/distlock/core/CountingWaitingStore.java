package io.github.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

/**
 * A real store (fenced, signalling releases) behind a wrapper that counts what is sent to it: TryLocks, Unlocks,
 * hand-overs and waits for a release. Only counts; every call goes to the store unchanged. Built by {@link #of} it
 * has the store's hand-over capability too, when the store has it; by the constructor it never has.
 */
public class CountingWaitingStore implements ReleaseAwaitingLockStore, FencedLockStore {

    private final FencedLockStore delegate;
    public final AtomicLong tryLocks = new AtomicLong();
    public final AtomicLong unlocks = new AtomicLong();
    public final AtomicLong awaits = new AtomicLong();
    /** Hand-overs sent; always 0 for a wrapper without the capability. */
    public final AtomicLong handOvers = new AtomicLong();

    /** A counting wrapper with the hand-over capability when {@code delegate} has it ({@link HandOverLockStore}). */
    public static CountingWaitingStore of(LockStore delegate) {
        return delegate instanceof HandOverLockStore ? new HandingOver(delegate) : new CountingWaitingStore(delegate);
    }

    private static final class HandingOver extends CountingWaitingStore implements HandOverLockStore {

        private HandingOver(LockStore delegate) {
            super(delegate);
        }

        @Override
        public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
            handOvers.incrementAndGet();
            return ((HandOverLockStore) delegate()).handOver(key, owner, nextOwner, expireSeconds);
        }

        @Override
        public int maxHandOversInARow() {
            return ((HandOverLockStore) delegate()).maxHandOversInARow();
        }
    }

    /** The store behind the wrapper. */
    public FencedLockStore delegate() {
        return delegate;
    }

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
