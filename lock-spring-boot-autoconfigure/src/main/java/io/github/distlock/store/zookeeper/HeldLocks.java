package io.github.distlock.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The book of the locks this store holds, one {@link Held} record per node path, each with a timer at the end of its
 * lease that drops the record and hands it to {@code onExpired} (which removes the node). Also counts the TryLock
 * creates in flight, which a cleanup must not mistake for leftovers. Pure bookkeeping: it never talks to ZooKeeper.
 *
 * <p>A record never answers an operation alone: another instance may have released or renewed the node since
 * (README, ZooKeeper "Guarantees"); callers compare it with the node they read.
 *
 * <p>Threads: callers of the store (track, renew, drop, counts), the book's one timer thread (expiry),
 * Curator's connection-state thread ({@link #dropAll} on a lost connection), ZooKeeper's event thread
 * ({@link #tracked}, from a cleanup's callback) and the closing thread. The maps are concurrent and records are
 * removed only if still mapped; writes to one node are serialised by its record's lock.
 */
final class HeldLocks {

    /** How soon the timer looks again at a record that an Unlock or LockKeepAlive is working on. */
    private static final long BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    /** TryLock creates sent and not yet tracked, counted by path and owner: see {@link #tracked}. */
    private final ConcurrentHashMap<String, Integer> creating = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final Consumer<Held> onExpired;
    private final ScheduledThreadPoolExecutor timers;

    /**
     * @param onExpired called on the timer thread with a record whose lease is over by {@code nanoClock}, after it
     *                  left the book
     */
    HeldLocks(String storeName, LongSupplier nanoClock, Consumer<Held> onExpired) {
        this.nanoClock = nanoClock;
        this.onExpired = onExpired;
        this.timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-zookeeper-" + storeName);
            thread.setDaemon(true);
            return thread;
        });
        this.timers.setRemoveOnCancelPolicy(true);
    }

    /** The record of the node at {@code path}, live or not; null if none. */
    Held get(String path) {
        return held.get(path);
    }

    /** Records a lock this store took or renewed, with a timer at the end of its lease; replaces an older record. */
    void track(Held record) {
        schedule(record);
        Held previous = held.put(record.path, record);
        if (previous != null) {
            previous.finish(); // its node is gone, or ZooKeeper would not have granted or renewed this one
        }
    }

    /** The node of {@code record} was renewed to {@code version}: moves its lease end and timer. Under its lock. */
    void renew(Held record, int version, long leaseEndNanos) {
        record.version = version;
        record.leaseEndNanos = leaseEndNanos;
        schedule(record);
    }

    /** Ends {@code record} and removes it, if it is still the book's record of its path. */
    void drop(Held record) {
        record.finish();
        held.remove(record.path, record);
    }

    /** Drops the record of {@code path} if it is of the node {@code czxid}: that node was deleted. */
    void forget(String path, long czxid) {
        Held mine = held.get(path);
        if (mine != null && mine.czxid == czxid) {
            drop(mine);
        }
    }

    /** Ends and removes every record; returns those that were live (for a lost connection, or close). */
    List<Held> dropAll() {
        long now = nanoClock.getAsLong();
        List<Held> live = new ArrayList<>();
        for (Held record : held.values()) {
            if (held.remove(record.path, record) && record.isLive(now)) {
                live.add(record);
            }
            record.finish();
        }
        return live;
    }

    /** Records whose lease is not over by this store's clock. */
    int liveCount() {
        long now = nanoClock.getAsLong();
        return (int) held.values().stream().filter(record -> record.isLive(now)).count();
    }

    /** A TryLock is about to send the create of {@code path} for {@code owner}. */
    void creating(String path, String owner) {
        creating.merge(path + '\n' + owner, 1, Integer::sum);
    }

    /** That create is answered, or given up, and tracked if it succeeded. */
    void created(String path, String owner) {
        creating.computeIfPresent(path + '\n' + owner, (name, count) -> count > 1 ? count - 1 : null);
    }

    /**
     * Whether a live record other than {@code record} tracks the node {@code czxid}, or a TryLock may be creating it.
     * A cleanup checks this before deleting the node of {@code record}: a record of a create whose answer was lost
     * matches any node of its session and owner at version 0, the owner's next successful TryLock included. (Requests
     * of one session are answered in order, so a node a cleanup reads that such a TryLock created was either tracked
     * already or is still counted as creating.)
     */
    boolean tracked(Held record, long czxid) {
        Held current = held.get(record.path);
        if (current != null && current != record && current.czxid == czxid && !current.finished) {
            return true;
        }
        return record.czxid == Held.UNKNOWN_CZXID && creating.containsKey(record.path + '\n' + record.owner);
    }

    /** Stops the timers; records stay, their nodes left to the session's end or a contender. */
    void close() {
        timers.shutdownNow();
    }

    private void schedule(Held record) {
        if (record.expiry != null) {
            record.expiry.cancel(false);
        }
        try {
            record.expiry = timers.schedule(() -> expire(record), record.leaseEndNanos - nanoClock.getAsLong(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the session's end or a contender removes the node
        }
    }

    /** The timer of {@code record}: if its lease is over by this store's clock, drops it and hands it on. */
    private void expire(Held record) {
        if (!record.lock.tryLock()) {
            // An Unlock or LockKeepAlive is in flight on it; look again shortly.
            try {
                timers.schedule(() -> expire(record), BUSY_RETRY_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
            return;
        }
        try {
            if (record.finished) {
                return;
            }
            if (nanoClock.getAsLong() - record.leaseEndNanos < 0) {
                schedule(record); // renewed meanwhile
                return;
            }
            drop(record);
        } finally {
            record.lock.unlock();
        }
        onExpired.accept(record);
    }
}
