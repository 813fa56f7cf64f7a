package io.github.distlock.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;

/**
 * A store behind a wrapper that counts its calls, with every LockKeepAlive per key and the longest gap between a
 * key's TryLock and its LockKeepAlives (for "no renewal missed"); it can fail the next Unlock, or every LockKeepAlive.
 */
public class CountingLockStore implements LockStore {

    private final LockStore delegate;
    public final AtomicInteger tryLocks = new AtomicInteger();
    public final AtomicInteger unlocks = new AtomicInteger();
    public final AtomicInteger keepAlives = new AtomicInteger();
    public final AtomicBoolean failNextUnlock = new AtomicBoolean();
    public final AtomicBoolean failKeepAlives = new AtomicBoolean();
    private final Map<String, Renewals> renewals = new ConcurrentHashMap<>();

    public CountingLockStore(LockStore delegate) {
        this.delegate = delegate;
    }

    /** The LockKeepAlives of one key: how many, and the longest gap since its TryLock or the one before. */
    public static final class Renewals {
        private long last;
        private long longestGapNanos;
        private int count;

        private synchronized void seen(boolean keepAlive) {
            long now = System.nanoTime();
            if (keepAlive) {
                longestGapNanos = Math.max(longestGapNanos, now - last);
                count++;
            }
            last = now;
        }

        public synchronized int count() {
            return count;
        }

        public synchronized long longestGapMillis() {
            return TimeUnit.NANOSECONDS.toMillis(longestGapNanos);
        }
    }

    /** The renewals of {@code key} (namespaced, as the store sees it). */
    public Renewals renewalsOf(String key) {
        return renewals.computeIfAbsent(key, k -> new Renewals());
    }

    public Map<String, Renewals> renewals() {
        return renewals;
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        tryLocks.incrementAndGet();
        boolean locked = delegate.tryLock(key, owner, expireSeconds);
        if (locked) {
            renewalsOf(key).seen(false);
        }
        return locked;
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        unlocks.incrementAndGet();
        if (failNextUnlock.getAndSet(false)) {
            throw new IllegalStateException("connection reset during Unlock");
        }
        return delegate.unlock(key, owner);
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        keepAlives.incrementAndGet();
        if (failKeepAlives.get()) {
            throw new IllegalStateException("connection refused during LockKeepAlive");
        }
        renewalsOf(key).seen(true);
        return delegate.keepAlive(key, owner, expireSeconds);
    }
}
