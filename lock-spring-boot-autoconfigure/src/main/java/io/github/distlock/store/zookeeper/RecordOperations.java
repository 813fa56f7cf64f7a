package io.github.distlock.store.zookeeper;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockStatus;
import org.apache.zookeeper.ZooKeeper;

/**
 * Unlock and LockKeepAlive through this store's own record of the lock: one write with the version it got back, no
 * read first. Answers null when the record cannot decide (lease over by this store's clock, another session, or the
 * node changed by another instance), and the caller then falls back to {@link ReadingOperations}.
 *
 * <p>Threads: any caller of the store. Each operation holds the record's lock while it writes, so it never overlaps
 * the record's timer or another operation on the same record.
 */
final class RecordOperations {

    private final HeldLocks book;
    private final PathClaims claims;
    private final NodeCleanup cleanup;
    private final ServerClock serverClock;
    private final LongSupplier nanoClock;

    RecordOperations(HeldLocks book, PathClaims claims, NodeCleanup cleanup, ServerClock serverClock,
            LongSupplier nanoClock) {
        this.book = book;
        this.claims = claims;
        this.cleanup = cleanup;
        this.serverClock = serverClock;
        this.nanoClock = nanoClock;
    }

    LockStatus unlock(Requests.Operation op, Held mine) {
        ZooKeeper zk = op.connected();
        mine.lock.lock();
        try (PathClaims.Claim claim = op.claim(claims, mine.path)) {
            if (!mine.isLive(nanoClock.getAsLong()) || zk.getSessionId() != mine.sessionId) {
                return null;
            }
            book.drop(mine);
            Reply deleted;
            try {
                deleted = op.delete(zk, mine.path, mine.version);
            } catch (RuntimeException e) {
                // Unknown whether it was deleted: the owner wants it released, so finish the job once reachable.
                cleanup.removeWhenReachable(mine);
                throw e;
            }
            return switch (deleted.code()) {
                case OK -> LockStatus.SUCCESS;
                case NONODE -> LockStatus.LOCK_UNEXIST;
                case BADVERSION -> null; // changed by another instance: read it
                case CONNECTIONLOSS -> {
                    cleanup.removeWhenReachable(mine); // unknown whether it was deleted, as above
                    throw op.failure(deleted.exception(mine.path));
                }
                default -> throw op.failure(deleted.exception(mine.path));
            };
        } finally {
            mine.lock.unlock();
        }
    }

    LockStatus keepAlive(Requests.Operation op, Held mine, long leaseMillis) {
        ZooKeeper zk = op.connected();
        mine.lock.lock();
        try (PathClaims.Claim claim = op.claim(claims, mine.path)) {
            long sent = nanoClock.getAsLong();
            if (!mine.isLive(sent) || zk.getSessionId() != mine.sessionId) {
                return null;
            }
            Reply set = op.setData(zk, mine.path, LockNodeCodec.nodeData(leaseMillis, mine.owner), mine.version);
            switch (set.code()) {
                case OK -> {
                    serverClock.observe(set.sample());
                    book.renew(mine, set.stat.getVersion(), sent + TimeUnit.MILLISECONDS.toNanos(leaseMillis));
                    return LockStatus.SUCCESS;
                }
                case NONODE -> {
                    book.drop(mine);
                    return LockStatus.LOCK_UNEXIST;
                }
                case BADVERSION -> {
                    return null;
                }
                default -> throw op.failure(set.exception(mine.path));
            }
        } finally {
            mine.lock.unlock();
        }
    }
}
