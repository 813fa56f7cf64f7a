package io.github.distlock.store.zookeeper;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The operations decided by the node as read, when this store's own record cannot decide: Unlock and LockKeepAlive
 * of a lock another instance took or renewed (or whose record here ended), and TryLock's takeover of a node its
 * holder left past its lease. Each compares the owner, judges the lease, then writes with the version it read, so a
 * stale holder gets LOCK_BELONG_TO_OTHERS once the lock changed hands (README, ZooKeeper "Expiry").
 *
 * <p>Threads: any caller of the store, concurrently; holds no state of its own.
 */
final class ReadingOperations {

    // Logs under the store's name, as before the store was split, so existing logging settings still apply.
    private static final Log logger = LogFactory.getLog(ZooKeeperLockStore.class);
    private static final int MAX_ATTEMPTS = 3;

    private final String storeName;
    private final HeldLocks book;
    private final PathClaims claims;
    private final ServerClock serverClock;
    private final RootNode root;
    private final LongSupplier nanoClock;
    private final long takeoverDelayMillis;

    ReadingOperations(String storeName, HeldLocks book, PathClaims claims, ServerClock serverClock, RootNode root,
            LongSupplier nanoClock, long takeoverDelayMillis) {
        this.storeName = storeName;
        this.book = book;
        this.claims = claims;
        this.serverClock = serverClock;
        this.root = root;
        this.nanoClock = nanoClock;
        this.takeoverDelayMillis = takeoverDelayMillis;
    }

    /** The write that follows the read: sends it with the version read, books its success, returns the answer. */
    interface Write {
        Reply send(ZooKeeper zk, Stat read);
    }

    LockStatus unlock(Requests.Operation op, String path, String owner) {
        return readThenWrite(op, path, owner, (zk, read) -> {
            Reply deleted = op.delete(zk, path, read.getVersion());
            if (deleted.code() == Code.OK) {
                book.forget(path, read.getCzxid());
            }
            return deleted;
        });
    }

    LockStatus keepAlive(Requests.Operation op, String key, String path, String owner, long leaseMillis) {
        return readThenWrite(op, path, owner, (zk, read) -> {
            long sent = nanoClock.getAsLong();
            Reply set = op.setData(zk, path, LockNodeCodec.nodeData(leaseMillis, owner), read.getVersion());
            if (set.code() == Code.OK) {
                serverClock.observe(set.sample());
                book.track(new Held(key, path, owner, set.stat.getCzxid(), set.stat.getVersion(), zk.getSessionId(),
                        sent + TimeUnit.MILLISECONDS.toNanos(leaseMillis)));
            }
            return set;
        });
    }

    /**
     * Reads the node, checks owner and lease, then writes; reads again if the node changed in between. The path is
     * claimed meanwhile, so no other write of this store lands between the read and the write ({@link PathClaims}).
     */
    LockStatus readThenWrite(Requests.Operation op, String path, String owner, Write write) {
        try (PathClaims.Claim claim = op.claim(claims, path)) {
            return readThenWriteClaimed(op, path, owner, write);
        }
    }

    private LockStatus readThenWriteClaimed(Requests.Operation op, String path, String owner, Write write) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZooKeeper zk = op.connected();
            Reply read = op.getData(zk, path);
            if (read.code() == Code.NONODE) {
                return LockStatus.LOCK_UNEXIST;
            }
            if (read.code() != Code.OK) {
                throw op.failure(read.exception(path));
            }
            LockNodeCodec.LockNode node = LockNodeCodec.parse(read.data);
            if (node == null || !node.owner().equals(owner)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            if (leaseOver(zk, op, path, node, read.stat)) {
                return LockStatus.LOCK_UNEXIST;
            }
            Reply written = write.send(zk, read.stat);
            switch (written.code()) {
                case OK -> {
                    return LockStatus.SUCCESS;
                }
                case NONODE -> {
                    return LockStatus.LOCK_UNEXIST;
                }
                case BADVERSION -> {
                    // changed meanwhile: read again
                }
                default -> throw op.failure(written.exception(path));
            }
        }
        throw op.failed("the lock node kept changing");
    }

    /**
     * Whether the lease of a node its owner asks about is over. When this store took or renewed the node as it is now
     * (same creation, same version), its own record decides: its clock ends the lease first. Otherwise, whichever
     * session created the node, the ensemble's clock decides: another instance may have renewed it after this store's
     * record ended, or this store's record may have been dropped (lease over here, or reported lost) while the node,
     * unchanged, still holds a lease by the ensemble's clock.
     */
    private boolean leaseOver(ZooKeeper zk, Requests.Operation op, String path, LockNodeCodec.LockNode node,
            Stat stat) {
        Held mine = book.get(path);
        if (mine != null && mine.czxid == stat.getCzxid() && mine.version == stat.getVersion()) {
            return !mine.isLive(nanoClock.getAsLong());
        }
        return ensembleTimeSurelyPast(zk, op, stat.getMtime() + node.leaseMillis());
    }

    /**
     * TryLock found the node taken: deletes it when its holder left it past its lease plus the takeover delay, by the
     * ensemble's clock. Returns whether a create is worth trying again.
     */
    boolean removeIfAbandoned(ZooKeeper zk, Requests.Operation op, String key, String path) {
        // Judged unclaimed first: contenders of a live lock, the usual case, read and go without queueing on the
        // path. Only a takeover claims it, then judges again on a fresh read before its delete.
        Reply read = op.getData(zk, path);
        Boolean verdict = judge(zk, op, path, read);
        if (verdict != null) {
            return verdict;
        }
        try (PathClaims.Claim claim = op.claim(claims, path)) {
            read = op.getData(zk, path);
            verdict = judge(zk, op, path, read);
            if (verdict != null) {
                return verdict;
            }
            Reply deleted = op.delete(zk, path, read.stat.getVersion());
            return switch (deleted.code()) {
                case OK -> {
                    logger.info("Lock store '" + storeName + "': took over lock '" + key
                            + "', left by its holder past its lease");
                    yield true;
                }
                case NONODE -> true;
                case BADVERSION -> false; // renewed or replaced meanwhile
                default -> throw op.failure(deleted.exception(path));
            };
        }
    }

    /**
     * What a TryLock that found the node taken should do, from the node as {@code read}: true to create again (it is
     * gone), false to give up (live, or not a lock node), null when its holder left it past its lease plus the
     * takeover delay by the ensemble's clock, so that it may be deleted.
     */
    private Boolean judge(ZooKeeper zk, Requests.Operation op, String path, Reply read) {
        if (read.code() == Code.NONODE) {
            return true; // released meanwhile
        }
        if (read.code() != Code.OK) {
            throw op.failure(read.exception(path));
        }
        LockNodeCodec.LockNode node = LockNodeCodec.parse(read.data);
        if (node == null) {
            return false; // not a lock node: never touched
        }
        Held mine = book.get(path);
        if (mine != null && mine.czxid == read.stat.getCzxid() && mine.isLive(nanoClock.getAsLong())) {
            return false;
        }
        long takeoverAt = read.stat.getMtime() + node.leaseMillis() + takeoverDelayMillis;
        return ensembleTimeSurelyPast(zk, op, takeoverAt) ? null : Boolean.FALSE;
    }

    /** Whether the ensemble's clock is surely at or past {@code serverMillis}; writes to the root if need be. */
    private boolean ensembleTimeSurelyPast(ZooKeeper zk, Requests.Operation op, long serverMillis) {
        return serverClock.surelyPast(serverMillis, () -> root.touch(zk, op));
    }
}
