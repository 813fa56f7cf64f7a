package io.github.distlock.store.zookeeper;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * The hand-over ({@link io.github.distlock.spi.HandOverLockStore}): one {@code multi} that deletes the holder's node
 * with its version and creates the next owner's ephemeral node at the same path, or does neither. The new node's
 * {@code czxid} is the multi's zxid, larger than the old node's, so the fencing token grows as with any new grant
 * (README, "ZooKeeper store"). Decided by this store's live record of the holder's node, with no read first, like
 * {@link RecordOperations#unlock}; when the record cannot decide, by the node as read ({@link ReadingOperations}).
 *
 * <p>An unanswered multi may or may not have been applied: both the holder's node and the next owner's possible node
 * are left to {@link NodeCleanup}, which deletes each only if it is still that node, of this session, and not tracked
 * since, so neither waits for its lease and nobody else's node is touched.
 *
 * <p>Threads: any caller of the store. The record's lock and the path's claim are held during the write, as for
 * Unlock.
 */
final class HandOverOperations {

    private final HeldLocks book;
    private final PathClaims claims;
    private final NodeCleanup cleanup;
    private final ServerClock serverClock;
    private final RootNode root;
    private final ReadingOperations byReading;
    private final LongSupplier nanoClock;

    HandOverOperations(HeldLocks book, PathClaims claims, NodeCleanup cleanup, ServerClock serverClock,
            RootNode root, ReadingOperations byReading, LongSupplier nanoClock) {
        this.book = book;
        this.claims = claims;
        this.cleanup = cleanup;
        this.serverClock = serverClock;
        this.root = root;
        this.byReading = byReading;
        this.nanoClock = nanoClock;
    }

    /** The next owner's token (its node's czxid), or NOT_ACQUIRED when {@code owner} does not hold the node. */
    long handOver(Requests.Operation op, String key, String path, String owner, String nextOwner, long leaseMillis) {
        Held mine = book.get(path);
        if (mine != null && mine.owner.equals(owner)) {
            Long token = byRecord(op, mine, nextOwner, leaseMillis);
            if (token != null) {
                return token;
            }
        }
        long[] token = {FencedLockStore.NOT_ACQUIRED};
        LockStatus status = byReading.readThenWrite(op, path, owner, (zk, read) -> {
            Reply replaced = replace(op, zk, key, path, read.getVersion(), nextOwner, leaseMillis, null);
            if (replaced.code() == Code.OK) {
                token[0] = replaced.stat.getCzxid();
            }
            return replaced;
        });
        return status == LockStatus.SUCCESS ? token[0] : FencedLockStore.NOT_ACQUIRED;
    }

    /** By the record: the token, NOT_ACQUIRED, or null when the record cannot decide. */
    private Long byRecord(Requests.Operation op, Held mine, String nextOwner, long leaseMillis) {
        ZooKeeper zk = op.connected();
        mine.lock.lock();
        try (PathClaims.Claim claim = op.claim(claims, mine.path)) {
            if (!mine.isLive(nanoClock.getAsLong()) || zk.getSessionId() != mine.sessionId) {
                return null;
            }
            // The holder gives the lock up whatever the answer: its record ends now, as for Unlock.
            book.drop(mine);
            Reply replaced = replace(op, zk, mine.key, mine.path, mine.version, nextOwner, leaseMillis, mine);
            return switch (replaced.code()) {
                case OK -> replaced.stat.getCzxid();
                case NONODE -> FencedLockStore.NOT_ACQUIRED;
                case BADVERSION -> null; // changed by another instance: read it
                default -> throw op.failure(replaced.exception(mine.path));
            };
        } finally {
            mine.lock.unlock();
        }
    }

    /**
     * Sends the multi and books the next owner's record if it was applied. Unanswered, it leaves {@code holder}'s node
     * (when known) and the next owner's possible node to the cleanup, then throws.
     */
    private Reply replace(Requests.Operation op, ZooKeeper zk, String key, String path, int version,
            String nextOwner, long leaseMillis, Held holder) {
        List<ACL> acl = root.acl(zk, op);
        byte[] data = LockNodeCodec.nodeData(leaseMillis, nextOwner);
        // The lease starts before the multi is sent, so this store's view of it ends before the ensemble's.
        long leaseEndNanos = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        Reply replaced = null;
        RuntimeException unanswered = null;
        book.creating(path, nextOwner);
        try {
            replaced = op.replace(zk, path, version, data, acl);
            if (replaced.code() == Code.OK) {
                serverClock.observe(replaced.sample());
                book.track(new Held(key, path, nextOwner, replaced.stat.getCzxid(), replaced.stat.getVersion(),
                        zk.getSessionId(), leaseEndNanos));
            }
        } catch (RuntimeException e) {
            unanswered = e;
        } finally {
            // Only once tracked: until then a cleanup could take the next owner's new node for a leftover one.
            book.created(path, nextOwner);
        }
        if (unanswered != null || replaced.code() == Code.CONNECTIONLOSS) {
            if (holder != null) {
                cleanup.removeWhenReachable(holder);
            }
            cleanup.removeWhenReachable(new Held(key, path, nextOwner, Held.UNKNOWN_CZXID, 0, zk.getSessionId(),
                    leaseEndNanos));
            throw unanswered != null ? unanswered : op.failure(replaced.exception(path));
        }
        return replaced;
    }
}
