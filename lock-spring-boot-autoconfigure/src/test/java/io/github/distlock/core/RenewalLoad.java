package io.github.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many locks held at once, renewed by one watchdog: each lock's renewals are counted and timed by a
 * {@link CountingLockStore} around the real store, so a missed renewal shows as too few of them or as a gap longer than
 * a third of the lease (plus slack for a loaded machine).
 */
public final class RenewalLoad {

    private RenewalLoad() {
    }

    /** What one run saw. */
    public record Result(int locks, int expireSeconds, long holdMillis, long heldMillis, int fewestRenewals,
            long longestGapMillis, int totalRenewals, int lost) {

        /** LockKeepAlives per second, all locks together, while all were held. */
        public double renewalsPerSecond() {
            return totalRenewals * 1000.0 / heldMillis;
        }

        /** Every lock renewed at least every third of its lease (plus 500 ms), none lost. */
        public void assertNoRenewalMissed() {
            long interval = TimeUnit.SECONDS.toMillis(expireSeconds) / 3;
            assertThat(lost).as("locks lost").isZero();
            assertThat(longestGapMillis).as("longest time a lock went without renewal, ms").isLessThan(interval + 500);
            assertThat(fewestRenewals).as("renewals of the least renewed lock")
                    .isGreaterThanOrEqualTo((int) (holdMillis / interval) - 1);
        }

        @Override
        public String toString() {
            return locks + " locks of " + expireSeconds + " s all held for " + heldMillis + " ms: " + totalRenewals
                    + " renewals (" + String.format("%.0f", renewalsPerSecond()) + "/s), fewest per lock "
                    + fewestRenewals + ", longest gap " + longestGapMillis + " ms, lost " + lost;
        }
    }

    /** Acquires {@code count} locks with a lease of {@code expireSeconds}, holds them for {@code hold}, releases. */
    public static Result run(LockTemplate locks, CountingLockStore store, DistributedLockClient client, int count,
            int expireSeconds, Duration hold) {
        LockOptions options = LockOptions.builder().expire(Duration.ofSeconds(expireSeconds)).build();
        String prefix = "load-" + System.nanoTime() + "-";
        List<LockHandle> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(locks.acquire(prefix + i, options));
            }
            long acquired = System.nanoTime();
            int renewalsBefore = store.keepAlives.get();
            long end = acquired + hold.toNanos();
            // Bounded by hold: sleeps until its end.
            while (System.nanoTime() < end) {
                sleep(Math.min(100, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 1));
            }
            int lost = (int) held.stream().filter(lock -> !lock.isHeld()).count();
            long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acquired);
            int fewest = Integer.MAX_VALUE;
            long longestGap = 0;
            for (int i = 0; i < count; i++) {
                CountingLockStore.Renewals renewals = store.renewalsOf(client.key(prefix + i));
                fewest = Math.min(fewest, renewals.count());
                longestGap = Math.max(longestGap, renewals.longestGapMillis());
            }
            return new Result(count, expireSeconds, hold.toMillis(), heldMillis, fewest, longestGap,
                    store.keepAlives.get() - renewalsBefore, lost);
        } finally {
            held.forEach(LockHandle::close);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
