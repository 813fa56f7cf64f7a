package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.StatusRuntimeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The leases one {@link EtcdLockStore} granted, so that a lease freed by an Unlock (or by a TryLock that was refused)
 * carries the next lock asked for the same number of seconds: that lock then costs a renewal of the lease, sent
 * alongside the lock transaction, instead of a grant before it and a revoke after its Unlock. Grants and revokes are
 * raft writes; a renewal is answered by the leader alone.
 *
 * <p>The rule that keeps it safe: a lease carries at most one key, and is given back only when that key is known to
 * be gone from it (this store's Unlock deleted it, this store's hand-over moved it to the next owner's lease, or the
 * transaction answered that it did not put it). A lease whose
 * key left any other way (an Unlock or a lease move through another instance) is never given back: it is revoked by
 * whoever deleted its key, or ends with its TTL. The lease calls (grant, renewal, revoke in the background) are made
 * here; the store makes the key calls.
 *
 * <p>Time left on a lease is judged from this JVM's monotonic clock, from the moment its grant or last renewal was
 * sent (etcd made or renewed it later, so the lease lasts at least that long). An idle lease is taken only with more
 * than the request timeout plus one second left: a renewal answered within the request timeout then found it alive.
 */
final class EtcdLeasePool {

    /** Idle leases kept at once over all lease lengths; more are revoked. */
    static final int MAX_IDLE = 256;
    /** Leases tracked at once; beyond that new grants are not tracked, and revoked after their Unlock as before. */
    static final int MAX_TRACKED = 4096;
    /** Pause between renewals of a lease a lock was just put on, when one failed (see renewAfterGrant). */
    private static final long RENEWAL_RETRY_PAUSE_MILLIS = 100;
    /** Revokes sent for one lease at most, 200 ms apart, while etcd answers neither done nor "not found". */
    private static final int REVOKE_ATTEMPTS = 5;
    private static final long REVOKE_RETRY_PAUSE_MILLIS = 200;
    /** Unanswered revokes allowed at once; beyond that the caller waits, so a slow cluster slows callers down. */
    private static final int MAX_PENDING_REVOKES = 1024;

    private static final Log logger = LogFactory.getLog(EtcdLeasePool.class);

    /** One lease this store granted. */
    static final class Granted {

        private final long id;
        private final int expireSeconds;
        private final long ttlNanos;
        private volatile long refreshedAt;
        private volatile boolean gone;

        private Granted(long id, int expireSeconds, long ttlSeconds, long sentAt) {
            this.id = id;
            this.expireSeconds = expireSeconds;
            this.ttlNanos = Duration.ofSeconds(ttlSeconds).toNanos();
            this.refreshedAt = sentAt;
        }

        long id() {
            return id;
        }

        private long leftAt(long now) {
            return refreshedAt + ttlNanos - now;
        }
    }

    private final Lease leases;
    private final Duration requestTimeout;
    private final long minimumLeftNanos;
    private final Semaphore revokePermits = new Semaphore(MAX_PENDING_REVOKES);
    /** The server's minimum lease TTL once a grant showed it (a grant longer than asked), else 0. */
    private final AtomicInteger observedMinimumTtl = new AtomicInteger();
    private final ConcurrentHashMap<Long, Granted> granted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<Granted>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /**
     * @param leases         the client's lease service, for revokes
     * @param requestTimeout how long one request to etcd may take; an idle lease needs this plus 1 s left
     */
    EtcdLeasePool(Lease leases, Duration requestTimeout) {
        this.leases = leases;
        this.requestTimeout = requestTimeout;
        this.minimumLeftNanos = requestTimeout.plusSeconds(1).toNanos();
    }

    /** An idle lease granted for {@code expireSeconds} with enough time left, or null; the caller must renew it. */
    Granted take(int expireSeconds) {
        ConcurrentLinkedDeque<Granted> leases = idle.get(expireSeconds);
        if (leases == null) {
            return null;
        }
        long now = System.nanoTime();
        try {
            for (Granted lease; (lease = leases.pollLast()) != null; ) {
                idleCount.decrementAndGet();
                if (!lease.gone && lease.leftAt(now) > minimumLeftNanos) {
                    return lease;
                }
                if (!lease.gone) {
                    revokeInBackground(lease.id); // too little left; revoked so that such leases do not pile up
                }
            }
            return null;
        } finally {
            // Every lock length ever asked for would otherwise keep an entry (gRPC callers choose any expire).
            idle.computeIfPresent(expireSeconds, (seconds, byLength) -> byLength.isEmpty() ? null : byLength);
        }
    }

    /**
     * Records a grant of {@code ttlSeconds} asked for {@code expireSeconds}, whose request was sent at
     * {@code sentAt} ({@link System#nanoTime()}).
     */
    Granted granted(long id, int expireSeconds, long ttlSeconds, long sentAt) {
        Granted lease = new Granted(id, expireSeconds, ttlSeconds, sentAt);
        if (granted.size() >= MAX_TRACKED) {
            sweep(sentAt);
        }
        if (granted.size() < MAX_TRACKED) {
            granted.put(id, lease);
        }
        return lease;
    }

    /** A renewal of {@code id} sent at {@code sentAt} was answered with time left. */
    void renewed(long id, long sentAt) {
        Granted lease = granted.get(id);
        if (lease != null && sentAt - lease.refreshedAt > 0) {
            lease.refreshedAt = sentAt;
        }
    }

    /**
     * Takes back a lease whose key is known to be gone, for the next lock of its length.
     *
     * @return false when the lease is not this store's, is gone, or the pool is full: the caller revokes it
     */
    boolean giveBack(long id) {
        Granted lease = granted.get(id);
        if (lease == null || lease.gone) {
            return false;
        }
        // A lease whose whole TTL is too short to be taken again, or one over the pool's size, is revoked now.
        if (lease.ttlNanos <= minimumLeftNanos || idleCount.incrementAndGet() > MAX_IDLE) {
            if (lease.ttlNanos > minimumLeftNanos) {
                idleCount.decrementAndGet();
            }
            forget(id);
            return false;
        }
        idle.compute(lease.expireSeconds, (seconds, byLength) -> {
            ConcurrentLinkedDeque<Granted> leases = byLength != null ? byLength : new ConcurrentLinkedDeque<>();
            leases.addLast(lease);
            return leases;
        });
        return true;
    }

    /** The lease is revoked or ended: never hand it out again. */
    void forget(long id) {
        Granted lease = granted.remove(id);
        if (lease != null) {
            lease.gone = true;
        }
    }

    /** Grants a lease for {@code expireSeconds} and records it; returns its id. */
    long grant(int expireSeconds, String key) {
        long sent = System.nanoTime();
        LeaseGrantResponse lease = EtcdCalls.await(requestTimeout, leases.grant(expireSeconds), "lease grant for", key);
        if (lease.getTTL() > expireSeconds) {
            observedMinimumTtl.set((int) lease.getTTL()); // etcd raised it to its minimum TTL
        }
        granted(lease.getID(), expireSeconds, lease.getTTL(), sent);
        return lease.getID();
    }

    /** The TTL etcd grants for {@code expireSeconds}: never below its minimum, once a grant has shown it. */
    long effectiveTtl(int expireSeconds) {
        return Math.max(expireSeconds, observedMinimumTtl.get());
    }

    /** Seconds left on {@code leaseId} after renewing it, or 0 when it no longer exists. */
    long renew(long leaseId, String key) {
        long sent = System.nanoTime();
        return renew(renewal(leaseId), leaseId, sent, key);
    }

    /** Sends a renewal of {@code leaseId}; its answer fails after the request timeout (jetcd sets none of its own). */
    CompletableFuture<LeaseKeepAliveResponse> renewal(long leaseId) {
        return leases.keepAliveOnce(leaseId).orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Seconds left after the renewal {@code renewal} of {@code leaseId}, sent at {@code sent}; 0 when it ended. */
    long renew(CompletableFuture<LeaseKeepAliveResponse> renewal, long leaseId, long sent, String key) {
        try {
            long ttl = EtcdCalls.await(requestTimeout, renewal, "lease renewal for", key).getTTL();
            noteRenewal(leaseId, sent, ttl, null);
            return ttl;
        } catch (EtcdLockStoreException e) {
            if (isLeaseNotFound(e.getCause())) {
                forget(leaseId);
                return 0;
            }
            throw e;
        }
    }

    /**
     * Waits for {@code renewal} of the lease a lock was just put on. When it fails other than with "lease not found"
     * (during a leader election a follower may answer at once that there is no leader, while the lock transaction
     * waits and then commits), sends another renewal every 100 ms for up to the request timeout: giving up would
     * leave the key on the lease until etcd answers a revoke. Any renewal answered with time left restarts the lease
     * from its sending, after the TryLock began, so the lock still lasts at least its TTL from the TryLock.
     *
     * @return seconds left after the renewal, or 0 when the lease has ended
     * @throws EtcdLockStoreException when no renewal was answered in that time, or the thread was interrupted
     */
    long renewAfterGrant(CompletableFuture<LeaseKeepAliveResponse> renewal, long leaseId, long sent, String key) {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        CompletableFuture<LeaseKeepAliveResponse> attempt = renewal;
        long attemptSent = sent;
        while (true) {
            try {
                return renew(attempt, leaseId, attemptSent, key);
            } catch (EtcdLockStoreException e) {
                if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                try {
                    Thread.sleep(RENEWAL_RETRY_PAUSE_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
            attemptSent = System.nanoTime();
            attempt = renewal(leaseId);
        }
    }

    /** Records a renewal's outcome when nobody waits for it (a refused TryLock's). */
    void noteRenewal(long leaseId, long sent, LeaseKeepAliveResponse renewed, Throwable failure) {
        noteRenewal(leaseId, sent, renewed == null ? 0 : renewed.getTTL(), failure);
    }

    private void noteRenewal(long leaseId, long sent, long ttl, Throwable failure) {
        if (failure == null && ttl > 0) {
            renewed(leaseId, sent);
        } else if (failure == null || isLeaseNotFound(failure)) {
            forget(leaseId);
        }
    }

    /** A lease whose key is gone for certain: kept idle when this store granted it, else revoked. */
    void free(long leaseId) {
        if (!giveBack(leaseId)) {
            revokeInBackground(leaseId);
        }
    }

    /** Revokes the idle leases, in the background (on close). */
    void revokeIdle() {
        for (ConcurrentLinkedDeque<Granted> byLength : idle.values()) {
            for (Granted lease; (lease = byLength.pollFirst()) != null; ) {
                idleCount.decrementAndGet();
                revokeInBackground(lease.id);
            }
        }
    }

    /** Forgets the lease and revokes it without waiting for the answer; one whose revoke fails ends with its TTL. */
    void revokeInBackground(long leaseId) {
        forget(leaseId);
        // Also on an interrupted thread: the revoke may be what frees a key a failed call left (bounded: every
        // pending revoke ends within its attempts' request timeouts).
        revokePermits.acquireUninterruptibly();
        sendRevoke(leaseId, REVOKE_ATTEMPTS);
    }

    /**
     * One revoke, the permit held. A failure other than "lease not found" (no leader during an election, a lost
     * connection) is tried again after a pause, so that a key left on the lease by a failed call is freed once etcd
     * answers again, rather than at the end of its TTL.
     */
    private void sendRevoke(long leaseId, int attemptsLeft) {
        CompletableFuture<?> revoke;
        try {
            revoke = leases.revoke(leaseId);
        } catch (RuntimeException e) { // the client is closed
            revokePermits.release();
            logger.debug("Revoking etcd lease " + Long.toHexString(leaseId) + " failed; it ends with its TTL", e);
            return;
        }
        revoke.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((done, failure) -> {
            if (failure != null && !isLeaseNotFound(failure) && attemptsLeft > 1) {
                CompletableFuture.delayedExecutor(REVOKE_RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(() -> sendRevoke(leaseId, attemptsLeft - 1));
                return;
            }
            revokePermits.release();
            if (failure != null && !isLeaseNotFound(failure) && logger.isDebugEnabled()) {
                logger.debug("Revoking etcd lease " + Long.toHexString(leaseId) + " failed " + REVOKE_ATTEMPTS
                        + " times; it ends with its TTL", failure);
            }
        });
    }

    /** Waits for the revokes under way, at most {@code timeout}; true when none is left. */
    boolean awaitPendingRevokes(Duration timeout) throws InterruptedException {
        if (revokePermits.tryAcquire(MAX_PENDING_REVOKES, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            revokePermits.release(MAX_PENDING_REVOKES);
            return true;
        }
        return false;
    }

    /**
     * Whether {@code failure} or a cause is etcd's "lease not found" (revoked, or its TTL ran out): jetcd gives it as
     * an {@code EtcdException} for lease calls and as gRPC's {@code NOT_FOUND} status for a transaction.
     */
    static boolean isLeaseNotFound(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if ((t instanceof EtcdException || t instanceof StatusRuntimeException) && t.getMessage() != null
                    && t.getMessage().contains("lease not found")) {
                return true;
            }
        }
        return false;
    }

    /** Idle leases now, for tests. */
    int idle() {
        return idleCount.get();
    }

    /**
     * Drops the records of leases past their end by this JVM's count: mostly keys unlocked or moved through another
     * instance. A lease renewed elsewhere may still live; dropping its record only means it is revoked, not given
     * back, after its Unlock.
     */
    private void sweep(long now) {
        granted.values().removeIf(lease -> {
            boolean ended = lease.leftAt(now) < 0;
            if (ended) {
                lease.gone = true;
            }
            return ended;
        });
    }
}
