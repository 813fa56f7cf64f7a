package io.github.distlock.core;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiters of this JVM for one lock (store name and resource id) in a line, in arrival order: only the waiter
 * whose turn it is contends with the store (TryLock, wait for the release, TryLock again); the others park here and
 * send nothing. So a release costs one TryLock from this JVM, not one per waiter, and a thread that comes back for a
 * lock it just released queues behind the waiters that were there first instead of barging ahead of them.
 *
 * <p>The turn passes to the next waiter when its waiter gives up (wait time over, interrupt, store error), and, when
 * it got the lock, when that lock is {@linkplain #released released}: the holder keeps the turn while it holds, so
 * that its release hands over within the JVM at once, without a store round trip. A holder that is never released (a
 * handle nobody closes) keeps the turn only until the lease its grant started with ends; then the next waiter takes
 * the turn and, if the lock was renewed meanwhile, waits for it on the store like any contender.
 *
 * <p>Across JVMs no order is kept: each JVM's current contender races the others' for every release.
 *
 * <p>Memory: one line per lock with waiters or a holder that came through the line, removed when both are gone.
 * Threads: any; a line's state is guarded by the line, waiters park with {@link LockSupport} and are woken one at a
 * time.
 */
final class LocalLockQueue {

    private final ConcurrentHashMap<Key, Line> lines = new ConcurrentHashMap<>();

    private record Key(String storeName, String resourceId) {
    }

    /** One waiter of one acquisition; {@link #join} returns it once it has the turn. */
    static final class Waiter {

        private final Thread thread = Thread.currentThread();
        private final Line line;
        /** The lease its grant would start with: how long a holder keeps the turn at most without releasing. */
        private final long leaseNanos;
        /** Set, under the line's monitor, by whoever gives it the turn. */
        private volatile boolean turn;

        private Waiter(Line line, long leaseNanos) {
            this.line = line;
            this.leaseNanos = leaseNanos;
        }
    }

    /** The turn while a waiter that got the lock holds it. */
    private record Holder(String owner, long leaseEndNanos) {
    }

    private final class Line {

        private final Key key;
        /** Guarded by this, as are the fields below. */
        private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        /** The contending {@link Waiter}, a {@link Holder}, or null once the line is removed. */
        private Object turn;
        private boolean removed;

        private Line(Key key) {
            this.key = key;
        }

        /** The next waiter gets the turn; with none the line is removed. */
        private void passTurn() {
            Waiter next = waiting.pollFirst();
            if (next == null) {
                turn = null;
                removed = true;
                lines.remove(key, this);
                return;
            }
            turn = next;
            next.turn = true;
            LockSupport.unpark(next.thread);
        }
    }

    /**
     * Queues the calling thread for the lock and blocks until it is its turn to contend, or {@code deadline}
     * ({@link System#nanoTime()}) passes. With nobody in line it returns at once.
     *
     * @param expireSeconds the lease the caller's grant will have
     * @return the waiter, whose turn it is; {@code null} when the deadline passed first (it left the line)
     * @throws InterruptedException when interrupted while in line (it left the line)
     */
    Waiter join(String storeName, String resourceId, int expireSeconds, long deadline) throws InterruptedException {
        Key key = new Key(storeName, resourceId);
        long leaseNanos = TimeUnit.SECONDS.toNanos(expireSeconds);
        while (true) {
            Line line = lines.computeIfAbsent(key, Line::new);
            Waiter me = new Waiter(line, leaseNanos);
            synchronized (line) {
                if (line.removed) {
                    continue; // emptied and removed after we found it: a new line
                }
                if (line.turn == null) {
                    line.turn = me;
                    return me;
                }
                line.waiting.addLast(me);
            }
            return awaitTurn(me, deadline);
        }
    }

    private Waiter awaitTurn(Waiter me, long deadline) throws InterruptedException {
        Line line = me.line;
        // Bounded by the deadline: every pass parks until at most the deadline.
        while (!me.turn) {
            if (Thread.interrupted()) {
                leave(me);
                throw new InterruptedException();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                leave(me);
                return null;
            }
            long until = deadline;
            synchronized (line) {
                if (me.turn) {
                    break;
                }
                if (line.waiting.peekFirst() == me) {
                    long leaseEnd = turnLeaseEnd(line.turn, now);
                    if (now - leaseEnd >= 0) {
                        // The holder neither released nor kept the turn's lease: contend on the store instead.
                        line.waiting.pollFirst();
                        line.turn = me;
                        me.turn = true;
                        break;
                    }
                    until = leaseEnd - deadline < 0 ? leaseEnd : deadline;
                }
            }
            LockSupport.parkNanos(this, until - now);
        }
        return me;
    }

    /** When the turn's holder stops keeping it at the latest: the end of its lease, or of a lease from now. */
    private static long turnLeaseEnd(Object turn, long now) {
        if (turn instanceof Holder holder) {
            return holder.leaseEndNanos();
        }
        // A contender: if it is granted, its lease ends no sooner than a lease from its TryLock; look again then.
        return now + ((Waiter) turn).leaseNanos;
    }

    /** A waiter that gave up: out of the line, and the turn passed on if it had it. */
    private void leave(Waiter me) {
        Line line = me.line;
        synchronized (line) {
            if (line.turn == me) {
                line.passTurn();
                return;
            }
            boolean wasFirst = line.waiting.peekFirst() == me;
            line.waiting.remove(me);
            Waiter first = line.waiting.peekFirst();
            if (wasFirst && first != null) {
                LockSupport.unpark(first.thread); // it now watches the holder's lease end
            }
        }
    }

    /** The waiter whose turn it is got the lock for {@code owner}, by a TryLock sent at {@code sentNanos}. */
    void granted(Waiter waiter, String owner, long sentNanos) {
        Line line = waiter.line;
        synchronized (line) {
            if (line.turn == waiter) {
                line.turn = new Holder(owner, sentNanos + waiter.leaseNanos);
            }
        }
    }

    /** The waiter whose turn it is did not get the lock: the next waiter contends. */
    void pass(Waiter waiter) {
        leave(waiter);
    }

    /**
     * The lock that {@code owner} got through the line was released: the next waiter contends. Nothing when the
     * owner does not hold the turn (it did not come through the line, or kept it past its lease).
     */
    void released(String storeName, String resourceId, String owner) {
        Line line = lines.get(new Key(storeName, resourceId));
        if (line == null) {
            return;
        }
        synchronized (line) {
            if (line.turn instanceof Holder holder && holder.owner().equals(owner)) {
                line.passTurn();
            }
        }
    }

    /** Locks with a line now. */
    int lineCount() {
        return lines.size();
    }

    /** Waiters in the line of the lock now, not counting the one whose turn it is. */
    int waiting(String storeName, String resourceId) {
        Line line = lines.get(new Key(storeName, resourceId));
        if (line == null) {
            return 0;
        }
        synchronized (line) {
            return line.waiting.size();
        }
    }
}
