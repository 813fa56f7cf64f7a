package io.github.distlock.store.inmemory;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.NonBlockingLockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

/**
 * Locks held in this JVM only: the embedded default and the reference implementation of the store contract.
 *
 * <p>Each held key maps to an immutable {@link Lease}; every change replaces the lease atomically through
 * {@link ConcurrentHashMap#compute}, so owner checks and expiry are decided in one step. A lease whose time is up
 * counts as absent everywhere.
 *
 * <p>Memory stays bounded without a background thread: every grant and every renewal queues its new lease, and
 * every operation examines the two oldest queued leases, dropping those no longer current and removing expired
 * ones from the map (a live one goes back to the tail). The queue therefore drains at least twice as fast as it
 * fills, so it holds about one entry per live lease however often locks are renewed, and a key that is never
 * touched again is still reclaimed once its lease is over.
 *
 * <p>No operation but {@link #awaitRelease} waits (a {@link NonBlockingLockStore}): the gRPC server runs them on its
 * event loop.
 */
public class InMemoryLockStore implements ReleaseAwaitingLockStore, HandOverLockStore, NonBlockingLockStore {

    private static final int SWEEP_PER_GRANT = 2;
    private static final int WAIT_STRIPES = 64;

    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final Queue<Lease> sweepQueue = new ConcurrentLinkedQueue<>();
    private final AtomicLong fencingTokens = new AtomicLong();
    private final WaitStripe[] waitStripes = new WaitStripe[WAIT_STRIPES];
    private final LongSupplier nanoClock;

    public InMemoryLockStore() {
        this(System::nanoTime);
    }

    /** @param nanoClock monotonic time in nanoseconds, replaceable in tests */
    public InMemoryLockStore(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        for (int i = 0; i < WAIT_STRIPES; i++) {
            waitStripes[i] = new WaitStripe();
        }
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        long now = nanoClock.getAsLong();
        long expiresAt = now + TimeUnit.SECONDS.toNanos(expireSeconds);
        Lease[] granted = new Lease[1];
        leases.compute(key, (k, held) -> {
            if (held != null && !held.expired(now)) {
                return held;
            }
            granted[0] = new Lease(key, owner, expiresAt, fencingTokens.incrementAndGet());
            return granted[0];
        });
        sweep(now);
        if (granted[0] == null) {
            return NOT_ACQUIRED;
        }
        sweepQueue.offer(granted[0]);
        return granted[0].token;
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        LockStatus status = changeIfOwner(key, owner, held -> null);
        if (status == LockStatus.SUCCESS) {
            stripe(key).released();
        }
        sweep(nanoClock.getAsLong());
        return status;
    }

    /** Hand-over: the next owner's lease replaces the holder's in one atomic step, with the next token. */
    @Override
    public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
        long expiresAt = nanoClock.getAsLong() + TimeUnit.SECONDS.toNanos(expireSeconds);
        Lease[] next = new Lease[1];
        LockStatus status = changeIfOwner(key, owner,
                held -> next[0] = new Lease(key, nextOwner, expiresAt, fencingTokens.incrementAndGet()));
        if (status == LockStatus.SUCCESS) {
            sweepQueue.offer(next[0]);
        }
        sweep(nanoClock.getAsLong());
        return status == LockStatus.SUCCESS ? next[0].token : NOT_ACQUIRED;
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        long expiresAt = nanoClock.getAsLong() + TimeUnit.SECONDS.toNanos(expireSeconds);
        Lease[] renewed = new Lease[1];
        LockStatus status = changeIfOwner(key, owner,
                held -> renewed[0] = new Lease(key, owner, expiresAt, held.token));
        if (status == LockStatus.SUCCESS) {
            sweepQueue.offer(renewed[0]);
        }
        sweep(nanoClock.getAsLong());
        return status;
    }

    /**
     * Replaces the live lease of {@code key} by {@code change} (null removes it) if {@code owner} holds it, in one
     * atomic step; an expired lease is removed on the way.
     */
    private LockStatus changeIfOwner(String key, String owner, UnaryOperator<Lease> change) {
        long now = nanoClock.getAsLong();
        LockStatus[] status = {LockStatus.LOCK_UNEXIST};
        leases.computeIfPresent(key, (k, held) -> {
            if (held.expired(now)) {
                return null;
            }
            if (!held.owner.equals(owner)) {
                status[0] = LockStatus.LOCK_BELONG_TO_OTHERS;
                return held;
            }
            status[0] = LockStatus.SUCCESS;
            return change.apply(held);
        });
        return status[0];
    }

    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        WaitStripe stripe = stripe(key);
        long deadline = nanoClock.getAsLong() + maxWait.toNanos();
        stripe.waiters.incrementAndGet();
        try {
            synchronized (stripe) {
                // Checked under the stripe's monitor: a release after this check notifies only once we wait.
                while (true) {
                    long now = nanoClock.getAsLong();
                    Lease held = leases.get(key);
                    if (held == null || held.expired(now) || now >= deadline) {
                        return;
                    }
                    long waitNanos = Math.min(deadline, held.expiresAtNanos) - now;
                    TimeUnit.NANOSECONDS.timedWait(stripe, Math.max(waitNanos, 1));
                }
            }
        } finally {
            stripe.waiters.decrementAndGet();
        }
    }

    /** Number of keys currently in memory, live or not yet reclaimed; for tests and diagnostics. */
    public int size() {
        return leases.size();
    }

    /** Number of leases queued for reclaiming; for tests and diagnostics. */
    int queuedForSweep() {
        return sweepQueue.size();
    }

    private void sweep(long now) {
        for (int i = 0; i < SWEEP_PER_GRANT; i++) {
            Lease queued = sweepQueue.poll();
            if (queued == null) {
                return;
            }
            if (leases.get(queued.key) != queued) {
                continue; // released, renewed or taken over since; the current lease is queued on its own
            }
            if (queued.expired(now)) {
                leases.remove(queued.key, queued);
            } else {
                sweepQueue.offer(queued);
            }
        }
    }

    private WaitStripe stripe(String key) {
        return waitStripes[(key.hashCode() & 0x7fffffff) % WAIT_STRIPES];
    }

    private static final class Lease {
        final String key;
        final String owner;
        final long expiresAtNanos;
        final long token;

        Lease(String key, String owner, long expiresAtNanos, long token) {
            this.key = key;
            this.owner = owner;
            this.expiresAtNanos = expiresAtNanos;
            this.token = token;
        }

        boolean expired(long now) {
            return now - expiresAtNanos >= 0;
        }
    }

    private static final class WaitStripe {
        final AtomicInteger waiters = new AtomicInteger();

        void released() {
            if (waiters.get() > 0) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }
    }
}
