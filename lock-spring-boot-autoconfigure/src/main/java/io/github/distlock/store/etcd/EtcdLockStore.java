package io.github.distlock.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Locks in etcd: one key per lock, holding the owner, attached to a lease of the lock's TTL.
 *
 * <ul>
 *   <li>tryLock takes a lease, then one transaction puts the key with it only if the key does not exist
 *       ({@code createRevision == 0}). The lease is an idle one of this store granted for the same seconds, renewed
 *       by a request sent just before the transaction, or else a new grant; see {@link EtcdLeasePool}. The fencing
 *       token is the key's {@code create_revision}: the transaction's revision, in its response.</li>
 *   <li>unlock is one transaction: delete if the value is the owner, else read the key; the else branch tells
 *       {@code LOCK_UNEXIST} (no key) from {@code LOCK_BELONG_TO_OTHERS}. The freed lease goes back to the pool when
 *       this store granted it, else it is revoked.</li>
 *   <li>handOver is one transaction: if the value is the holder, put the next owner on a lease taken as tryLock
 *       takes one ({@link #handOver}).</li>
 *   <li>keepAlive reads the key; when the owner matches it renews the key's lease ({@code LeaseKeepAlive}), which
 *       resets it to the TTL it was granted with. When the caller asks for a different TTL, the key moves to a new
 *       lease of that TTL in a transaction guarded by owner and mod revision, and the old lease is revoked.</li>
 *   <li>awaitRelease reads the key, then watches it for a delete from the next revision on; see
 *       {@link EtcdReleaseWatches}.</li>
 * </ul>
 *
 * <p>Revokes of leases nobody uses any more (after an unlock or hand-over of a lease another instance granted, a
 * failed tryLock, a lease move, on close for the idle ones) are sent without
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
public class EtcdLockStore implements ReleaseAwaitingLockStore, HandOverLockStore, AutoCloseable {

    private static final Log logger = LogFactory.getLog(EtcdLockStore.class);

    /** Attempts of keepAlive when the key changes under it, each for the same owner (a concurrent keepAlive). */
    private static final int KEEP_ALIVE_ATTEMPTS = 3;

    private final Client client;
    private final boolean ownsClient;
    private final KV kv;
    private final Lease leases;
    private final ByteSequence namespace;
    private final Duration requestTimeout;
    private final EtcdReleaseWatches releaseWatches;
    private final EtcdLeasePool leasePool;

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
        this.leasePool = new EtcdLeasePool(leases, requestTimeout);
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    /**
     * TryLock; the fencing token is the revision of the transaction that put the key (its {@code create_revision}).
     * A transaction that writes gets one new revision of the whole cluster, and the header of its response carries
     * it, so the token comes with the grant: larger than every earlier grant of any key of the cluster.
     */
    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        ByteSequence etcdKey = etcdKey(key);
        return grant(key, expireSeconds, "lock transaction on", lease -> kv.txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(etcdKey, bytes(owner), PutOption.builder().withLeaseId(lease).build())));
    }

    /**
     * Hand-over in one transaction: if the value is {@code owner}, put {@code nextOwner} on the next owner's lease
     * (taken as TryLock takes one); the key's previous lease, now without a key, is kept idle or revoked as after an
     * Unlock. The token is the transaction's revision (the key's new {@code mod_revision}), larger than every earlier
     * grant's, as for TryLock. The key is never deleted, so waiters of other applications go on waiting.
     */
    @Override
    public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
        ByteSequence etcdKey = etcdKey(key);
        return grant(key, expireSeconds, "hand-over transaction on", lease -> kv.txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(owner))))
                .Then(Op.put(etcdKey, bytes(nextOwner), PutOption.builder().withLeaseId(lease).withPrevKV().build())),
                this::freePreviousLease);
    }

    private long grant(String key, int expireSeconds, String what, LongFunction<Txn> transaction) {
        return grant(key, expireSeconds, what, transaction, txn -> { });
    }

    /**
     * A transaction that grants the lock on a lease, with an idle lease when there is one, else a new grant; when the
     * idle lease turns out to have ended ("lease not found"), once more on a new grant.
     */
    private long grant(String key, int expireSeconds, String what, LongFunction<Txn> transaction,
            Consumer<TxnResponse> granted) {
        EtcdLeasePool.Granted idle = leasePool.take(expireSeconds);
        try {
            return grantOn(key, expireSeconds, idle, what, transaction, granted);
        } catch (EtcdLockStoreException e) {
            if (idle == null || !isLeaseNotFound(e.getCause())) {
                throw e;
            }
            return grantOn(key, expireSeconds, null, what, transaction, granted);
        }
    }

    /**
     * The transaction on a new lease ({@code idle} null), or on an idle one renewed at the same time: the renewal is
     * sent first and must be answered with time left before a grant is reported, so the lease lasts at least its TTL
     * from the start of this call.
     */
    private long grantOn(String key, int expireSeconds, EtcdLeasePool.Granted idle, String what,
            LongFunction<Txn> transaction, Consumer<TxnResponse> granted) {
        long sent = System.nanoTime();
        CompletableFuture<LeaseKeepAliveResponse> renewal = null;
        long leaseId = idle == null ? 0 : idle.id();
        Boolean put = null; // unknown until etcd answers
        try {
            renewal = idle == null ? null : leasePool.renewal(leaseId);
            leaseId = idle == null ? leasePool.grant(expireSeconds, key) : leaseId;
            TxnResponse txn = EtcdCalls.await(requestTimeout, transaction.apply(leaseId).commit(), what, key);
            put = txn.isSucceeded();
            if (put) {
                granted.accept(txn); // the transaction applied, whatever the renewal says
            }
            if (put && renewal != null && leasePool.renewAfterGrant(renewal, leaseId, sent, key) <= 0) {
                throw new EtcdLockStoreException("etcd lease " + Long.toHexString(leaseId) + " of '" + key
                        + "' ended while the lock was taken on it");
            }
            return put ? txn.getHeader().getRevision() : NOT_ACQUIRED;
        } catch (RuntimeException e) {
            put = null;
            throw e;
        } finally {
            long lease = leaseId;
            if (Boolean.FALSE.equals(put)) {
                if (renewal != null) {
                    renewal.whenComplete((renewed, failure) -> leasePool.noteRenewal(lease, sent, renewed, failure));
                }
                leasePool.free(lease);
            } else if (put == null && lease != 0) {
                // Unknown after an error (the put may have committed). Revoking is safe: at most our own key is on
                // the lease, and the caller, given an exception, does not believe it holds the lock. A key left on it
                // would block the lock until the TTL.
                revokeInBackground(lease);
            }
        }
    }

    /** After a hand-over: the holder's lease no longer carries the key. */
    private void freePreviousLease(TxnResponse handOver) {
        PutResponse put = handOver.getPutResponses().get(0);
        if (put.hasPrevKv() && put.getPrevKv().getLease() != 0) {
            leasePool.free(put.getPrevKv().getLease());
        }
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        ByteSequence etcdKey = etcdKey(key);
        TxnResponse txn = EtcdCalls.await(requestTimeout, kv.txn()
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
            leasePool.free(deleted.get(0).getLease());
        }
        return LockStatus.SUCCESS;
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        ByteSequence etcdKey = etcdKey(key);
        ByteSequence ownerBytes = bytes(owner);
        for (int attempt = 1; ; attempt++) {
            List<KeyValue> found = EtcdCalls.await(requestTimeout, kv.get(etcdKey), "read of", key).getKvs();
            if (found.isEmpty()) {
                return LockStatus.LOCK_UNEXIST;
            }
            KeyValue held = found.get(0);
            if (!held.getValue().equals(ownerBytes)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            // The key's lease carries only this key. Should the owner's Unlock or hand-over free it between the read
            // and the renewal and the pool pass it to the next lock, this only renews that lock's fresh lease once.
            long renewedTtl = leasePool.renew(held.getLease(), key);
            if (renewedTtl <= 0) {
                return LockStatus.LOCK_UNEXIST; // expired between the read and the renewal
            }
            if (renewedTtl == leasePool.effectiveTtl(expireSeconds)) {
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

    /** Idle leases kept for the next lock, for tests. */
    int idleLeases() {
        return leasePool.idle();
    }

    /** The waiting part, for tests. */
    EtcdReleaseWatches releaseWatches() {
        return releaseWatches;
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
        long lease = leasePool.grant(expireSeconds, key);
        TxnResponse txn = EtcdCalls.await(requestTimeout, kv.txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.value(owner)),
                        new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(held.getModRevision())))
                .Then(Op.put(etcdKey, owner, PutOption.builder().withLeaseId(lease).build()))
                .Else(Op.get(etcdKey, GetOption.DEFAULT))
                .commit(), "lease move transaction on", key);
        if (txn.isSucceeded()) {
            revokeInBackground(held.getLease());
            return LockStatus.SUCCESS;
        }
        revokeInBackground(lease); // definitely refused: no key is on the new lease
        List<KeyValue> now = txn.getGetResponses().get(0).getKvs();
        if (now.isEmpty()) {
            return LockStatus.LOCK_UNEXIST;
        }
        return now.get(0).getValue().equals(owner) ? null : LockStatus.LOCK_BELONG_TO_OTHERS;
    }

    private void revokeInBackground(long leaseId) {
        leasePool.revokeInBackground(leaseId);
    }

    /** Waits for the revokes under way, at most {@code timeout}; true when none is left. */
    public boolean awaitPendingRevokes(Duration timeout) throws InterruptedException {
        return leasePool.awaitPendingRevokes(timeout);
    }

    /** Whether etcd answers a linearizable read within the request timeout (it has a leader and a quorum). */
    public void checkReachable() {
        EtcdCalls.await(requestTimeout, kv.get(namespace, GetOption.builder().withCountOnly(true).build()),
                "health read of", "");
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public String namespace() {
        return namespace.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        leasePool.revokeIdle();
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

    private static boolean isLeaseNotFound(Throwable failure) {
        return EtcdLeasePool.isLeaseNotFound(failure);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
