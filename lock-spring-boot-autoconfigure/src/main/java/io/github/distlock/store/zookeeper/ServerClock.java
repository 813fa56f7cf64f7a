package io.github.distlock.store.zookeeper;

import java.util.concurrent.TimeUnit;

/**
 * What this process knows of the ZooKeeper ensemble's clock: every write returns the {@code mtime} the leader stamped
 * on it, and the write happened between sending the request and reading the reply. From the latest such sample and
 * this JVM's monotonic clock, the ensemble's time now lies in a known interval, whatever the offset between this
 * machine's wall clock and the servers'.
 */
final class ServerClock {

    /** A sample older than this is not trusted to say that a lease is over. */
    private static final long MAX_SAMPLE_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Sample(long serverMillis, long sentNanos, long receivedNanos) {
    }

    private volatile Sample latest;

    /** Records that a request sent at {@code sentNanos}, answered at {@code receivedNanos}, was stamped {@code serverMillis}. */
    void observe(long serverMillis, long sentNanos, long receivedNanos) {
        Sample current = latest;
        if (current == null || receivedNanos - current.receivedNanos > 0) {
            latest = new Sample(serverMillis, sentNanos, receivedNanos);
        }
    }

    /** The ensemble's time is surely before {@code serverMillis}: true only when that follows from the sample. */
    boolean surelyBefore(long serverMillis, long nowNanos) {
        Sample sample = latest;
        // +2: mtime is truncated to the millisecond, and so is the elapsed time.
        return sample != null && sample.serverMillis + millisSince(sample.sentNanos, nowNanos) + 2 < serverMillis;
    }

    /**
     * The ensemble's time is surely at or past {@code serverMillis}, by a sample taken within the last second; false
     * when unknown.
     */
    boolean surelyPast(long serverMillis, long nowNanos) {
        Sample sample = latest;
        return sample != null && nowNanos - sample.receivedNanos <= MAX_SAMPLE_AGE_NANOS
                && sample.serverMillis + millisSince(sample.receivedNanos, nowNanos) >= serverMillis;
    }

    private static long millisSince(long fromNanos, long nowNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos - fromNanos);
    }
}
