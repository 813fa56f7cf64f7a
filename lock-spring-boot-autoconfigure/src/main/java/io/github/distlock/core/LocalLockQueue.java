package io.github.distlock.core;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.distlock.spi.FencedLockStore;

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
 * <p>When the store can {@linkplain io.github.distlock.spi.HandOverLockStore hand a lock over}, a release passes the
 * lock itself to the next waiter ({@link #offerHandOver}, then {@link #handedOver} or {@link #notHandedOver}): one
 * store call, and the waiter enters without a TryLock. A waiter that gives up while the hand-over is in flight only
 * marks itself as declined; whoever made the hand-over then releases the lock on the waiter's behalf (its owner is
 * that acquisition's own). After as many hand-overs in a row as the store allows
 * ({@link io.github.distlock.spi.HandOverLockStore#maxHandOversInARow()}) one release goes by Unlock, which wakes
 * the contenders of other JVMs, so that they get a chance at the lock.
 *
 * <p>Across JVMs no order is kept: each JVM's current contender races the others' for every announced release (an
 * Unlock, or a hand-over the store declined for another JVM's contender: {@link
 * io.github.distlock.spi.HandOverLockStore#RELEASED}).
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
        /** The acquisition's owner; null when it cannot be handed a lock. */
        private final String owner;
        private final int expireSeconds;
        /** The lease its grant would start with: how long a holder keeps the turn at most without releasing. */
        private final long leaseNanos;
        /** Set, under the line's monitor, by whoever gives it the turn. */
        private volatile boolean turn;
        /** The token of the lock handed over to it, with {@link #turn}; else NOT_ACQUIRED. */
        private volatile long handedToken = FencedLockStore.NOT_ACQUIRED;
        /** When the hand-over was sent ({@link System#nanoTime()}): where its lease starts at the latest. */
        private volatile long handedSentNanos;
        /** Guarded by the line: it gave up while a hand-over to it was in flight. */
        private boolean declined;

        private Waiter(Line line, String owner, int expireSeconds) {
            this.line = line;
            this.owner = owner;
            this.expireSeconds = expireSeconds;
            this.leaseNanos = TimeUnit.SECONDS.toNanos(expireSeconds);
        }

        String owner() {
            return owner;
        }

        int expireSeconds() {
            return expireSeconds;
        }

        /** Whether it was handed the lock: then it holds it, with {@link #handedToken()}; no TryLock is needed. */
        boolean handedOver() {
            return handedToken != FencedLockStore.NOT_ACQUIRED;
        }

        long handedToken() {
            return handedToken;
        }

        long handedSentNanos() {
            return handedSentNanos;
        }
    }

    /** The turn while a waiter that got the lock holds it. */
    private record Holder(String owner, long leaseEndNanos) {
    }

    /** The turn while the holder's lock is being handed over to {@code next}. */
    private record HandingOver(Waiter next) {
    }

    private final class Line {

        private final Key key;
        /** Guarded by this, as are the fields below. */
        private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        /** The contending {@link Waiter}, a {@link Holder}, a {@link HandingOver}, or null once the line is removed. */
        private Object turn;
        private boolean removed;
        /** Hand-overs since the last release by Unlock. */
        private int handOversInARow;

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
        return join(storeName, resourceId, null, expireSeconds, deadline);
    }

    /**
     * As {@link #join(String, String, int, long)}, for an acquisition by {@code owner}, to which a releasing holder
     * may hand the lock itself: then the returned waiter is {@linkplain Waiter#handedOver() handed over} (even when the
     * deadline passed meanwhile, or the thread was interrupted after the hand-over had been made).
     *
     * @param owner the acquisition's owner; null: it is never handed a lock, only the turn
     */
    Waiter join(String storeName, String resourceId, String owner, int expireSeconds, long deadline)
            throws InterruptedException {
        Key key = new Key(storeName, resourceId);
        while (true) {
            Line line = lines.computeIfAbsent(key, Line::new);
            Waiter me = new Waiter(line, owner, expireSeconds);
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
                if (leave(me)) {
                    throw new InterruptedException();
                }
                Thread.currentThread().interrupt(); // the lock was handed over first: it holds it
                break;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                if (leave(me)) {
                    return null;
                }
                break;
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
        // A contender (or one being handed the lock): a lease from now at the earliest; look again then.
        return now + (turn instanceof HandingOver handing ? handing.next() : (Waiter) turn).leaseNanos;
    }

    /**
     * A waiter that gave up: out of the line, and the turn passed on if it had it; a hand-over to it in flight is
     * declined.
     *
     * @return false when it cannot leave: the lock was handed over to it already
     */
    private boolean leave(Waiter me) {
        Line line = me.line;
        synchronized (line) {
            if (me.handedOver()) {
                return false;
            }
            if (line.turn == me) {
                line.passTurn();
                return true;
            }
            if (line.turn instanceof HandingOver handing && handing.next() == me) {
                me.declined = true;
                return true;
            }
            boolean wasFirst = line.waiting.peekFirst() == me;
            line.waiting.remove(me);
            Waiter first = line.waiting.peekFirst();
            if (wasFirst && first != null) {
                LockSupport.unpark(first.thread); // it now watches the holder's lease end
            }
            return true;
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

    /**
     * The holder {@code owner} releases: the next waiter in line, now committed to the hand-over the caller is about
     * to make to it (it can no longer take the turn or be passed over, only decline), or {@code null} when there is
     * no hand-over to make (nobody waits, the owner does not hold the turn, the next waiter has no owner, or
     * {@code maxInARow} hand-overs in a row were made); then release by Unlock. Every non-null answer must be
     * followed by {@link #handedOver} or {@link #notHandedOver}.
     */
    Waiter offerHandOver(String storeName, String resourceId, String owner, int maxInARow) {
        Line line = lines.get(new Key(storeName, resourceId));
        if (line == null) {
            return null;
        }
        synchronized (line) {
            Waiter next = line.waiting.peekFirst();
            if (!(line.turn instanceof Holder holder) || !holder.owner().equals(owner) || next == null
                    || next.owner == null) {
                return null;
            }
            if (line.handOversInARow >= maxInARow) {
                line.handOversInARow = 0;
                return null;
            }
            line.handOversInARow++;
            line.waiting.pollFirst();
            line.turn = new HandingOver(next);
            return next;
        }
    }

    /**
     * The store handed the lock to {@code next} with {@code token}, the hand-over sent at {@code sentNanos}: it
     * enters holding the lock and the turn.
     *
     * @return false when {@code next} declined meanwhile: the caller must unlock for {@code next}'s owner, then call
     *         {@link #notHandedOver}
     */
    boolean handedOver(Waiter next, long token, long sentNanos) {
        Line line = next.line;
        synchronized (line) {
            if (next.declined) {
                return false;
            }
            line.turn = new Holder(next.owner, sentNanos + next.leaseNanos);
            next.handedSentNanos = sentNanos;
            next.handedToken = token;
            next.turn = true;
        }
        LockSupport.unpark(next.thread);
        return true;
    }

    /**
     * The hand-over to {@code next} was not made (or was undone): it contends with the store as a waiter whose turn
     * came, or, when it declined, the turn passes on.
     */
    void notHandedOver(Waiter next) {
        Line line = next.line;
        synchronized (line) {
            if (next.declined) {
                line.passTurn();
                return;
            }
            line.turn = next;
            next.turn = true;
        }
        LockSupport.unpark(next.thread);
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
