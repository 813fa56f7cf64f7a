package io.github.distlock.store.zookeeper;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.zookeeper.data.Stat;

/**
 * A lock this store took or renewed, as this store sees it: which node (creation {@code czxid}, {@code version}),
 * through which session, and when its lease ends by this JVM's monotonic clock.
 *
 * <p>Threads: a caller's Unlock or LockKeepAlive and the record's timer both write to the node; they take
 * {@link #lock} first, so that at most one of them does at a time. The changing fields are volatile so that
 * readers without the lock (counts, cleanups on ZooKeeper's event thread) see current values.
 */
final class Held {
    /** The czxid of a record made for a create whose answer was lost: the node, if any, is not known. */
    static final long UNKNOWN_CZXID = -1;

    final String key;
    final String path;
    final String owner;
    final long czxid;
    final long sessionId;
    final ReentrantLock lock = new ReentrantLock();
    volatile int version;
    volatile long leaseEndNanos;
    volatile boolean finished;
    /** The timer at the end of the lease; managed by {@link HeldLocks}. */
    volatile ScheduledFuture<?> expiry;

    Held(String key, String path, String owner, long czxid, int version, long sessionId, long leaseEndNanos) {
        this.key = key;
        this.path = path;
        this.owner = owner;
        this.czxid = czxid;
        this.version = version;
        this.sessionId = sessionId;
        this.leaseEndNanos = leaseEndNanos;
    }

    /** Whether the node read is the one this record is about (same creation, unchanged since). */
    boolean isNode(Stat stat, byte[] data) {
        if (czxid == UNKNOWN_CZXID) {
            // A create whose answer was lost: ours if this session made it for this owner (owners are unique),
            // unless the owner's next TryLock made it; HeldLocks.tracked rules that case out.
            LockNodeCodec.LockNode node = LockNodeCodec.parse(data);
            return stat.getEphemeralOwner() == sessionId && stat.getVersion() == 0 && node != null
                    && node.owner().equals(owner);
        }
        return stat.getCzxid() == czxid && stat.getVersion() == version;
    }

    boolean isLive(long nowNanos) {
        return !finished && nowNanos - leaseEndNanos < 0;
    }

    /** Ends the record: it no longer decides anything, and its timer will not run. */
    void finish() {
        finished = true;
        ScheduledFuture<?> task = expiry;
        if (task != null) {
            task.cancel(false);
        }
    }
}
