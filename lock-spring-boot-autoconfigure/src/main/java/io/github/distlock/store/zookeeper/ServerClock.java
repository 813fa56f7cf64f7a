package io.github.distlock.store.zookeeper;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What this process knows of the ZooKeeper ensemble's clock: every write returns the {@code mtime} the leader stamped
 * on it, and the write happened between sending the request and reading the reply. From the latest such sample and
 * this JVM's monotonic clock, the ensemble's time now lies in a known interval, whatever the offset between this
 * machine's wall clock and the servers'. A contender takes a node over only when this says the lease is surely over
 * (README, ZooKeeper "Expiry").
 *
 * <p>Threads: any caller of the store, concurrently. The latest sample is one volatile reference; two writers racing
 * may keep either sample, and both are true.
 */
final class ServerClock {

    /** A sample older than this is not trusted to say that a lease is over. */
    private static final long MAX_SAMPLE_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A write sent at {@code sentNanos}, answered at {@code receivedNanos}, was stamped {@code serverMillis}. */
    record Sample(long serverMillis, long sentNanos, long receivedNanos) {
    }

    private final LongSupplier nanoClock;
    private volatile Sample latest;

    ServerClock(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Keeps {@code sample} if it was answered after the one kept so far. */
    void observe(Sample sample) {
        Sample current = latest;
        if (current == null || sample.receivedNanos - current.receivedNanos > 0) {
            latest = sample;
        }
    }

    /**
     * Whether the ensemble's time is surely at or past {@code serverMillis}. When the samples so far can decide
     * neither way (none, too old, or the answer falls between what they bound), {@code probe} makes a write to read
     * the clock afresh, and the answer is false unless that sample decides.
     */
    boolean surelyPast(long serverMillis, Supplier<Sample> probe) {
        long now = nanoClock.getAsLong();
        if (surelyBefore(serverMillis, now)) {
            return false;
        }
        if (surelyPast(serverMillis, now)) {
            return true;
        }
        observe(probe.get());
        return surelyPast(serverMillis, nanoClock.getAsLong());
    }

    /**
     * When, by the monotonic clock, the latest sample says the ensemble's time surely reaches {@code serverMillis}
     * (the sample's age aside: this is for waking a waiter, whose TryLock then decides with {@link #surelyPast});
     * empty with no sample.
     */
    OptionalLong nanosWhenReached(long serverMillis) {
        Sample sample = latest;
        if (sample == null) {
            return OptionalLong.empty();
        }
        // +1: the elapsed time is truncated to the millisecond by surelyPast.
        return OptionalLong.of(sample.receivedNanos + TimeUnit.MILLISECONDS.toNanos(serverMillis - sample.serverMillis
                + 1));
    }

    /** The ensemble's time is surely before {@code serverMillis}: true only when that follows from the sample. */
    private boolean surelyBefore(long serverMillis, long nowNanos) {
        Sample sample = latest;
        // The stamp came after the send: the time since the send bounds how far the ensemble's clock moved.
        // +2: mtime is truncated to the millisecond, and so is the elapsed time.
        return sample != null && sample.serverMillis + millisSince(sample.sentNanos, nowNanos) + 2 < serverMillis;
    }

    /** The ensemble's time is surely at or past {@code serverMillis}, by a sample taken within the last second. */
    private boolean surelyPast(long serverMillis, long nowNanos) {
        Sample sample = latest;
        // The stamp came before the answer: the time since the answer is the least the ensemble's clock moved.
        return sample != null && nowNanos - sample.receivedNanos <= MAX_SAMPLE_AGE_NANOS
                && sample.serverMillis + millisSince(sample.receivedNanos, nowNanos) >= serverMillis;
    }

    private static long millisSince(long fromNanos, long nowNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos - fromNanos);
    }
}
