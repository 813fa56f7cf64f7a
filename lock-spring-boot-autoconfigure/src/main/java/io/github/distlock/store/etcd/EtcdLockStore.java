package io.github.distlock.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Locks in etcd: one key per lock, holding the owner, attached to a lease of the lock's TTL.
 *
 * <ul>
 *   <li>tryLock grants a lease, then one transaction puts the key with it only if the key does not exist
 *       ({@code createRevision == 0}). When the transaction does not succeed the lease is revoked at once. The
 *       fencing token is the key's {@code create_revision}: the transaction's revision, in its response.</li>
 *   <li>unlock is one transaction: delete if the value is the owner, else read the key; the else branch tells
 *       {@code LOCK_UNEXIST} (no key) from {@code LOCK_BELONG_TO_OTHERS}. The freed lease is then revoked.</li>
 *   <li>keepAlive reads the key; when the owner matches it renews the key's lease ({@code LeaseKeepAlive}), which
 *       resets it to the TTL it was granted with. When the caller asks for a different TTL, the key moves to a new
 *       lease of that TTL in a transaction guarded by owner and mod revision, and the old lease is revoked.</li>
 *   <li>awaitRelease reads the key, then watches it for a delete from the next revision on; see
 *       {@link EtcdReleaseWatches}.</li>
 * </ul>
 *
 * <p>Revokes of leases nobody uses any more (after an unlock, a failed tryLock or a lease move) are sent without
 * waiting for their answer: the lock is already free or refused when they go out, so the caller need not wait. Some
 * leases are left with no key, and etcd drops them when their TTL ends: when a revoke fails; when a grant's answer is
 * lost (etcd made the lease, we never learnt its id); when an unlock's answer is lost (the key may be gone, its lease
 * is not revoked); when keepAlive's lease move ends in an error (see moveToNewLease). {@link #close()} waits for the
 * revokes still under way.
 *
 * <p>etcd grants no lease shorter than its minimum TTL ({@code ceil(1.5 × election timeout)}, 2 s with the default
 * 1 s election timeout): a lock asked for 1 s then lasts 2 s. Keys are {@code namespace + key} in UTF-8; etcd keys
 * are bytes, so any character is safe.
 *
 * <p>Every request waits at most the request timeout; then the call throws (the client wraps it in a
 * {@code LockStoreException}). jetcd itself spreads requests over the endpoints and moves off a failed one.
 */
public class EtcdLockStore implements ReleaseAwaitingLockStore, FencedLockStore, AutoCloseable {

    private static final Log logger = LogFactory.getLog(EtcdLockStore.class);

    /** Unanswered revokes allowed at once; beyond that the caller waits, so a slow cluster slows callers down. */
    private static final int MAX_PENDING_REVOKES = 1024;
    /** Attempts of keepAlive when the key changes under it, each for the same owner (a concurrent keepAlive). */
    private static final int KEEP_ALIVE_ATTEMPTS = 3;

    private final Client client;
    private final boolean ownsClient;
    private final KV kv;
    private final Lease leases;
    private final ByteSequence namespace;
    private final Duration requestTimeout;
    private final Semaphore revokePermits = new Semaphore(MAX_PENDING_REVOKES);
    /** The server's minimum lease TTL once a grant showed it (a grant longer than asked), else 0. */
    private final AtomicInteger observedMinimumTtl = new AtomicInteger();
    private final EtcdReleaseWatches releaseWatches;

    /**
     * @param client         the etcd client
     * @param namespace      prefix of every lock key, e.g. {@code /distlock/}
     * @param requestTimeout how long one request to etcd may take
     * @param ownsClient     whether {@link #close()} closes {@code client} (false for an application's bean)
     */
    public EtcdLockStore(Client client, String namespace, Duration requestTimeout, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.namespace = bytes(namespace);
        this.requestTimeout = requestTimeout;
        this.releaseWatches = new EtcdReleaseWatches(kv, client.getWatchClient(), this::etcdKey, requestTimeout);
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    /**
     * TryLock; the fencing token is the revision at which the key was created ({@code create_revision}). A
     * transaction that writes gets one new revision of the whole cluster, and the header of its response carries it,
     * so the token comes with the grant: larger than every earlier grant of any key of the cluster.
     */
    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        ByteSequence etcdKey = etcdKey(key);
        LeaseGrantResponse lease = grant(expireSeconds, key);
        boolean acquired = false;
        try {
            TxnResponse txn = await(kv.txn()
                    .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(etcdKey, bytes(owner), PutOption.builder().withLeaseId(lease.getID()).build()))
                    .commit(), "lock transaction on", key);
            acquired = txn.isSucceeded();
            return acquired ? txn.getHeader().getRevision() : NOT_ACQUIRED;
        } finally {
            if (!acquired) {
                // Refused, or unknown after an error (the put may have committed). Revoking is safe either way: the
                // lease is fresh, so at most our own key is on it, and the caller, told "not acquired" or given an
                // exception, does not believe it holds the lock. A key left on it would block the lock until the TTL.
                revokeInBackground(lease.getID());
            }
        }
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        ByteSequence etcdKey = etcdKey(key);
        TxnResponse txn = await(kv.txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(owner))))
                .Then(Op.delete(etcdKey, DeleteOption.builder().withPrevKV(true).build()))
                .Else(Op.get(etcdKey, GetOption.DEFAULT))
                .commit(), "unlock transaction on", key);
        if (!txn.isSucceeded()) {
            return txn.getGetResponses().get(0).getKvs().isEmpty() ? LockStatus.LOCK_UNEXIST
                    : LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        List<KeyValue> deleted = txn.getDeleteResponses().get(0).getPrevKvs();
        if (!deleted.isEmpty() && deleted.get(0).getLease() != 0) {
            revokeInBackground(deleted.get(0).getLease());
        }
        return LockStatus.SUCCESS;
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        ByteSequence etcdKey = etcdKey(key);
        ByteSequence ownerBytes = bytes(owner);
        for (int attempt = 1; ; attempt++) {
            List<KeyValue> found = await(kv.get(etcdKey), "read of", key).getKvs();
            if (found.isEmpty()) {
                return LockStatus.LOCK_UNEXIST;
            }
            KeyValue held = found.get(0);
            if (!held.getValue().equals(ownerBytes)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            // The lease is the owner's: etcd never reuses a lease id, and only this owner's grant made it.
            long renewedTtl = renew(held.getLease(), key);
            if (renewedTtl <= 0) {
                return LockStatus.LOCK_UNEXIST; // expired between the read and the renewal
            }
            if (renewedTtl == effectiveTtl(expireSeconds)) {
                return LockStatus.SUCCESS;
            }
            LockStatus moved = moveToNewLease(etcdKey, key, ownerBytes, held, expireSeconds);
            if (moved != null) {
                return moved;
            }
            if (attempt == KEEP_ALIVE_ATTEMPTS) {
                throw new EtcdLockStoreException("keepAlive of '" + key + "' gave up: the key kept changing under "
                        + "it (" + KEEP_ALIVE_ATTEMPTS + " attempts, concurrent keepAlives of the same owner?)");
            }
        }
    }

    /**
     * Blocks until {@code key} is deleted (an Unlock, or the end of its lease), or {@code maxWait} passes: one etcd
     * watch per waited key, shared by this store's waiters.
     */
    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        releaseWatches.awaitRelease(key, maxWait);
    }

    /** The waiting part, for tests. */
    EtcdReleaseWatches releaseWatches() {
        return releaseWatches;
    }

    private LeaseGrantResponse grant(int expireSeconds, String key) {
        LeaseGrantResponse lease = await(leases.grant(expireSeconds), "lease grant for", key);
        if (lease.getTTL() > expireSeconds) {
            observedMinimumTtl.set((int) lease.getTTL()); // etcd raised it to its minimum TTL
        }
        return lease;
    }

    /** Time left on {@code leaseId} after renewing it, or 0 when it no longer exists. */
    private long renew(long leaseId, String key) {
        try {
            LeaseKeepAliveResponse renewed = await(leases.keepAliveOnce(leaseId), "lease renewal for", key);
            return renewed.getTTL();
        } catch (EtcdLockStoreException e) {
            if (isLeaseNotFound(e.getCause())) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * Puts the key on a new lease of {@code expireSeconds} if it is still exactly {@code held}; then revokes the old
     * lease. Returns the outcome, or null when the key changed but still belongs to the owner (try again).
     *
     * <p>The new lease is revoked only when etcd answered that the transaction did not apply. When the transaction
     * fails with an exception (a timeout, a lost reply) it may have committed, and the key may now be on the new
     * lease: revoking it would delete the key and free the lock while the caller, who got only an exception, still
     * counts on the old lease. So the new lease is left alone; if unused it ends with its TTL, and so does the old
     * one if the move did happen.
     */
    private LockStatus moveToNewLease(ByteSequence etcdKey, String key, ByteSequence owner, KeyValue held,
            int expireSeconds) {
        LeaseGrantResponse lease = grant(expireSeconds, key);
        TxnResponse txn = await(kv.txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.value(owner)),
                        new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(held.getModRevision())))
                .Then(Op.put(etcdKey, owner, PutOption.builder().withLeaseId(lease.getID()).build()))
                .Else(Op.get(etcdKey, GetOption.DEFAULT))
                .commit(), "lease move transaction on", key);
        if (txn.isSucceeded()) {
            revokeInBackground(held.getLease());
            return LockStatus.SUCCESS;
        }
        revokeInBackground(lease.getID()); // definitely refused: no key is on the new lease
        List<KeyValue> now = txn.getGetResponses().get(0).getKvs();
        if (now.isEmpty()) {
            return LockStatus.LOCK_UNEXIST;
        }
        return now.get(0).getValue().equals(owner) ? null : LockStatus.LOCK_BELONG_TO_OTHERS;
    }

    /** The TTL etcd grants for {@code expireSeconds}: never below its minimum, once a grant has shown it. */
    private long effectiveTtl(int expireSeconds) {
        return Math.max(expireSeconds, observedMinimumTtl.get());
    }

    private void revokeInBackground(long leaseId) {
        try {
            revokePermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the lease then ends with its TTL
        }
        CompletableFuture<?> revoke;
        try {
            revoke = leases.revoke(leaseId);
        } catch (RuntimeException e) {
            revokePermits.release();
            logger.debug("Revoking etcd lease " + Long.toHexString(leaseId) + " failed; it ends with its TTL", e);
            return;
        }
        revoke.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((done, failure) -> {
            revokePermits.release();
            if (failure != null && !isLeaseNotFound(failure) && logger.isDebugEnabled()) {
                logger.debug("Revoking etcd lease " + Long.toHexString(leaseId) + " failed; it ends with its TTL",
                        failure);
            }
        });
    }

    /** Waits for the revokes under way, at most {@code timeout}; true when none is left. */
    public boolean awaitPendingRevokes(Duration timeout) throws InterruptedException {
        if (revokePermits.tryAcquire(MAX_PENDING_REVOKES, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            revokePermits.release(MAX_PENDING_REVOKES);
            return true;
        }
        return false;
    }

    /** Whether etcd answers a linearizable read within the request timeout (it has a leader and a quorum). */
    public void checkReachable() {
        await(kv.get(namespace, GetOption.builder().withCountOnly(true).build()), "health read of", "");
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public String namespace() {
        return namespace.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            if (!awaitPendingRevokes(requestTimeout)) {
                logger.info("Closing the etcd lock store with lease revokes unanswered; those leases end with "
                        + "their TTL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsClient) {
            client.close();
        }
    }

    private ByteSequence etcdKey(String key) {
        return namespace.concat(bytes(key));
    }

    private <T> T await(CompletableFuture<T> request, String what, String key) {
        try {
            return request.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            request.cancel(true);
            throw new EtcdLockStoreException("etcd " + what + " '" + key + "' got no answer within "
                    + requestTimeout + " (cluster unreachable or without a leader?)", e);
        } catch (ExecutionException e) {
            throw new EtcdLockStoreException("etcd " + what + " '" + key + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.cancel(true);
            throw new EtcdLockStoreException("Interrupted waiting for etcd " + what + " '" + key + "'", e);
        }
    }

    private static boolean isLeaseNotFound(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EtcdException etcd && etcd.getMessage() != null
                    && etcd.getMessage().contains("lease not found")) {
                return true;
            }
        }
        return false;
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
