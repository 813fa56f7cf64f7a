package io.github.distlock.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;

/**
 * Deletes the nodes of locks this store gave up (lease over by its clock, reported lost, or a create or delete left
 * unanswered), so that nobody waits for their leases. Never waits: a cleanup that cannot run now is either kept for
 * the next reconnection or left to the session's end or a contender.
 *
 * <p>Why the limits: a cleanup deletes a node only if it is still the record's node, made through the current
 * session, and only within the cleanup window ({@code takeover-delay / 2}) of the record's lease end, because later
 * a contender may be taking the node over and a re-created node starts again at version 0 (README, "Why
 * `takeover-delay`"). It never deletes a node the book still tracks or a TryLock may be creating
 * ({@link HeldLocks#tracked}).
 *
 * <p>Threads: callers of the store, the book's timer thread, Curator's connection-state thread, ZooKeeper's event
 * thread (the callbacks) and the closing thread. The records kept for a reconnection are guarded by their list's
 * monitor.
 */
final class NodeCleanup {

    // Logs under the store's name, as before the store was split, so existing logging settings still apply.
    private static final Log logger = LogFactory.getLog(ZooKeeperLockStore.class);

    private final String storeName;
    private final Requests requests;
    private final HeldLocks book;
    private final PathClaims claims;
    private final LongSupplier nanoClock;
    private final long cleanupWindowNanos;
    private final List<Held> pendingRemoval = new ArrayList<>();

    NodeCleanup(String storeName, Requests requests, HeldLocks book, PathClaims claims, LongSupplier nanoClock,
            long cleanupWindowNanos) {
        this.storeName = storeName;
        this.requests = requests;
        this.book = book;
        this.claims = claims;
        this.nanoClock = nanoClock;
        this.cleanupWindowNanos = cleanupWindowNanos;
    }

    /**
     * Deletes the node of {@code record} if it is still that node and its cleanup window is open. Asynchronous: once
     * no other write of this store to the path is in flight ({@link PathClaims}), a {@code sync} (so that the read
     * is not older than a write of this session whose answer was lost), a read, then a delete with the version read.
     */
    void removeNodeOf(Held record) {
        ZooKeeper zk = requests.connectedOrNull();
        if (zk == null || zk.getSessionId() != record.sessionId) {
            return; // the session's end or a contender removes the node
        }
        claims.whenFree(record.path, claim -> zk.sync(record.path, (syncRc, syncPath, syncCtx) -> {
            if (syncRc != Code.OK.intValue()) {
                claim.close();
                return;
            }
            zk.getData(record.path, false, (rc, path, ctx, data, stat) -> {
                if (rc != Code.OK.intValue() || !record.isNode(stat, data)
                        || nanoClock.getAsLong() - record.leaseEndNanos >= cleanupWindowNanos
                        || book.tracked(record, stat.getCzxid())) {
                    claim.close();
                    return;
                }
                zk.delete(record.path, stat.getVersion(), (deleteRc, deletePath, deleteCtx) -> {
                    claim.close();
                    if (deleteRc == Code.OK.intValue() && logger.isDebugEnabled()) {
                        logger.debug("Removed the node of expired lock '" + record.key + "' of store '" + storeName
                                + "'");
                    }
                }, null);
            }, null);
        }, null));
    }

    /** A request about {@code record}'s node went unanswered: removes the node now if connected, and again later. */
    void removeWhenReachable(Held record) {
        long now = nanoClock.getAsLong();
        synchronized (pendingRemoval) {
            // Records past their cleanup window can no longer remove anything: drop them rather than pile them up.
            pendingRemoval.removeIf(pending -> now - pending.leaseEndNanos >= cleanupWindowNanos);
            pendingRemoval.add(record);
        }
        removeNodeOf(record);
    }

    /** Keeps {@code record}, a lock reported lost, to remove its node after a reconnection. */
    void removeAfterReconnection(Held record) {
        synchronized (pendingRemoval) {
            pendingRemoval.add(record);
        }
    }

    /** The session is over: its ephemeral nodes are gone, nothing is left to remove. */
    void sessionEnded() {
        synchronized (pendingRemoval) {
            pendingRemoval.clear();
        }
    }

    /** Connected again: removes what was kept, where the session survived and the node is still the record's. */
    void reconnected() {
        List<Held> kept;
        synchronized (pendingRemoval) {
            kept = new ArrayList<>(pendingRemoval);
            pendingRemoval.clear();
        }
        kept.forEach(this::removeNodeOf);
    }

    /** On close: deletes the nodes of the locks still held, waiting a second at most. */
    void releaseAll() {
        List<Held> live = book.dropAll();
        if (live.isEmpty()) {
            return;
        }
        ZooKeeper zk = requests.connectedOrNull();
        if (zk == null) {
            return;
        }
        try {
            CountDownLatch done = new CountDownLatch(live.size());
            for (Held record : live) {
                zk.delete(record.path, record.version, (rc, path, ctx) -> done.countDown(), null);
            }
            done.await(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.debug("Lock store '" + storeName + "': could not release " + live.size() + " lock(s) on close; "
                    + "their leases or the session's end free them", e);
        }
    }
}
