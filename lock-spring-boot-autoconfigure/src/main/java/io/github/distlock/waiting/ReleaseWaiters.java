package io.github.distlock.waiting;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The waiters of one store in this JVM, and the one {@link Watch} per waited key that they share: what the Redis,
 * ZooKeeper and etcd stores' {@code awaitRelease} have in common. A store extends it with its signal, {@link #arm}
 * and {@link #disarm} (a Redis subscription, a ZooKeeper watch, an etcd watch); this class does the waiting, the
 * deadlines, the interrupts, and makes sure a registration made for a key is undone exactly once, when the last of
 * its waiters is gone.
 *
 * <p>One {@code awaitRelease}: join the key's watch (the first waiter of a key creates it and has the store arm it),
 * wait until the watch says released, the holder's lease ends, or {@code maxWait} passes, then leave. When the signal
 * is not available (a subscription lost, a disconnected session, a watch cancelled) the waiter falls back to timed
 * retries: it pauses {@linkplain #POLL_INTERVAL a short interval} (cut short when the store reports the signal
 * restored) and has the key read again; when even that read fails it returns after the pause, so that the caller's
 * next TryLock is the retry. No path waits past {@code maxWait}.
 *
 * <p>Threads: any number of waiters; the store's callbacks (from its client's I/O threads) resolve watches. No lock
 * is held while {@link #arm} or {@link #disarm} is called.
 */
public abstract class ReleaseWaiters {

    /** Longest pause between two looks at a key while the store's release signal is unavailable. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /** How a watch ended, or why a waiter stopped waiting on it. */
    private enum Outcome {
        /** Released, or found free: return at once. */
        RELEASED,
        /** The signal is not available, but the key was read and found held: look again after a pause. */
        LOST,
        /** The key could not even be read: return after a pause, so that the caller retries. */
        FAILED,
        /** The lease the key was found with has ended. */
        LEASE_END,
        /** The waiter's {@code maxWait} has passed. */
        TIMEOUT
    }

    private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private final AtomicLong arms = new AtomicLong();
    private final Object pause = new Object();
    private final LongSupplier nanoClock;

    /** @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime} outside tests) */
    protected ReleaseWaiters(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Starts watching {@code key} for {@code watch}, which a waiter just created: reads whether the key is held, and
     * registers for its release (in that order of effect, so that a release after the read is not missed). Never
     * blocks. Later, from any thread, calls one of {@link Watch#held}, {@link Watch#released}, {@link Watch#lost} or
     * {@link Watch#failed}; {@code watch} ignores all but the first outcome. May throw: the watch then fails.
     */
    protected abstract void arm(String key, Watch watch);

    /**
     * {@code watch} ended (it was resolved, or its last waiter left): undoes what {@link #arm} registered for it, such
     * as a watch on the server. Called once per watch; never blocks, never throws.
     */
    protected abstract void disarm(String key, Watch watch);

    /**
     * Blocks until {@code key} is released or found free, its holder's lease ends, or {@code maxWait} passes: the
     * contract of {@code ReleaseAwaitingLockStore.awaitRelease}, returning early (after a pause) only when the store
     * cannot be read.
     *
     * @throws InterruptedException when interrupted; the waiter is gone, and with it the key's watch if it was the last
     */
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            return; // not worth a read of the key
        }
        long deadline = nanoClock.getAsLong() + maxWait.toNanos();
        while (true) {
            Outcome outcome = awaitOnce(key, deadline);
            if (outcome != Outcome.LOST && outcome != Outcome.FAILED) {
                return;
            }
            pauseUntil(Math.min(deadline, nanoClock.getAsLong() + jitteredPollNanos()));
            if (outcome == Outcome.FAILED || nanoClock.getAsLong() - deadline >= 0) {
                return;
            }
        }
    }

    /**
     * The store's signal is available again (a subscription confirmed, a session reconnected): waiters pausing for
     * it look at their keys at once.
     */
    public void signalRestored() {
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    /** {@code key} was released: its waiters return. For a store whose signal names the key (a message). */
    public void released(String key) {
        Watch watch = watches.get(key);
        if (watch != null) {
            watch.released();
        }
    }

    /** The store's signal broke for every key at once (a lost connection): every watch is lost. */
    public void loseAll() {
        watches.values().forEach(Watch::lost);
    }

    /** Keys with a watch now: each is one registration with the store (a server watch, say). */
    public int watchCount() {
        return watches.size();
    }

    /** Threads waiting now. */
    public int waiterCount() {
        return waiters.get();
    }

    /** Watches armed since the start: one read of a key and one registration each. */
    public long armCount() {
        return arms.get();
    }

    private Outcome awaitOnce(String key, long deadline) throws InterruptedException {
        Watch[] created = new Watch[1];
        Watch watch = watches.compute(key, (k, current) -> {
            Watch joined = current != null ? current : (created[0] = new Watch(k));
            joined.waiters++;
            return joined;
        });
        waiters.incrementAndGet();
        try {
            if (created[0] != null) {
                arms.incrementAndGet();
                try {
                    arm(key, watch);
                } catch (RuntimeException e) {
                    watch.failed();
                }
            }
            return watch.await(deadline);
        } finally {
            waiters.decrementAndGet();
            leave(watch);
        }
    }

    /** The waiter is done with {@code watch}; the last one ends it, unless it already ended. */
    private void leave(Watch watch) {
        boolean[] last = new boolean[1];
        watches.compute(watch.key, (k, current) -> {
            watch.waiters--;
            if (current == watch && watch.waiters == 0) {
                last[0] = true;
                return null;
            }
            return current;
        });
        if (last[0]) {
            disarm(watch.key, watch);
        }
    }

    /** Removes {@code watch} once it has an outcome; the one that removes it has the store disarm it. */
    private void end(Watch watch) {
        boolean[] removed = new boolean[1];
        watches.computeIfPresent(watch.key, (k, current) -> {
            if (current != watch) {
                return current;
            }
            removed[0] = true;
            return null;
        });
        if (removed[0]) {
            disarm(watch.key, watch);
        }
    }

    private void pauseUntil(long until) throws InterruptedException {
        synchronized (pause) {
            long left = until - nanoClock.getAsLong();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedWait(pause, left);
            }
        }
    }

    private static long jitteredPollNanos() {
        long poll = POLL_INTERVAL.toNanos();
        // Jitter spreads the waiters of a key that all lost their signal at the same moment.
        return poll / 2 + ThreadLocalRandom.current().nextLong(poll / 2 + 1);
    }

    /**
     * One key's watch, shared by the waiters of the key in this JVM until it has an outcome. The store resolves it
     * with {@link #held}, {@link #released}, {@link #lost} or {@link #failed}, and may attach what it registered, to
     * undo it in {@link ReleaseWaiters#disarm}.
     */
    public final class Watch {

        private static final Object DETACHED = new Object();

        private final String key;
        /** Guarded by the map's lock on the key. */
        private int waiters;
        private final AtomicReference<Object> registration = new AtomicReference<>();
        /** Guarded by this. */
        private Outcome outcome;
        private boolean armed;
        private long leaseEndNanos;

        private Watch(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        /**
         * The key is held; its lease ends at {@code leaseEndNanos} by this JVM's monotonic clock
         * ({@link Long#MAX_VALUE}: not known). Waiters return then, unless released first.
         */
        public void held(long leaseEndNanos) {
            synchronized (this) {
                if (outcome == null && !armed) {
                    armed = true;
                    this.leaseEndNanos = leaseEndNanos;
                    notifyAll();
                }
            }
        }

        /** The key was released, or found free: waiters return. */
        public void released() {
            resolve(Outcome.RELEASED);
        }

        /** The signal for this key is gone (or was never there): waiters read the key again after a pause. */
        public void lost() {
            resolve(Outcome.LOST);
        }

        /** The key could not be read: waiters return after a pause. */
        public void failed() {
            resolve(Outcome.FAILED);
        }

        /**
         * Attaches what the store registered for this watch; false when the watch has already ended, in which case
         * the store undoes the registration itself.
         */
        public boolean attach(Object registered) {
            return registration.compareAndSet(null, registered);
        }

        /** What was attached, taken once (null when nothing was): {@link ReleaseWaiters#disarm} undoes it. */
        public Object detach() {
            Object attached = registration.getAndSet(DETACHED);
            return attached == DETACHED ? null : attached;
        }

        private void resolve(Outcome result) {
            synchronized (this) {
                if (outcome != null) {
                    return;
                }
                outcome = result;
                notifyAll();
            }
            end(this);
        }

        private synchronized Outcome await(long deadline) throws InterruptedException {
            while (true) {
                if (outcome != null) {
                    return outcome;
                }
                long now = nanoClock.getAsLong();
                if (armed && now - leaseEndNanos >= 0) {
                    return Outcome.LEASE_END;
                }
                if (now - deadline >= 0) {
                    return Outcome.TIMEOUT;
                }
                long until = armed && leaseEndNanos - deadline < 0 ? leaseEndNanos : deadline;
                TimeUnit.NANOSECONDS.timedWait(this, until - now);
            }
        }
    }
}
