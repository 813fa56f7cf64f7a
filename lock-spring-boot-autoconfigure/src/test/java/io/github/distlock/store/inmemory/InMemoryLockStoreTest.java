package io.github.distlock.store.inmemory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the in-memory store does beyond the shared contract and its capability suites
 * ({@link InMemoryReleaseAwaitingLockStoreTest}, {@link InMemoryFencedLockStoreTest}).
 */
class InMemoryLockStoreTest {

    private final AtomicLong clock = new AtomicLong();
    private final InMemoryLockStore store = new InMemoryLockStore(clock::get);

    @Test
    void expiredKeysThatAreNeverTouchedAgainAreReclaimed() {
        int keys = 200_000;
        for (int i = 0; i < keys; i++) {
            assertThat(store.tryLock("old-" + i, "owner", 1)).isTrue();
        }
        assertThat(store.size()).isEqualTo(keys);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        for (int i = 0; i < keys; i++) {
            assertThat(store.tryLock("new-" + i, "owner", 60)).isTrue();
        }
        assertThat(store.size()).as("only the live keys remain").isEqualTo(keys);
    }

    @Test
    void releasedKeysLeaveNothingBehind() {
        for (int i = 0; i < 100_000; i++) {
            assertThat(store.tryLock("k-" + i, "o", 30)).isTrue();
            assertThat(store.keepAlive("k-" + i, "o", 30)).isEqualTo(LockStatus.SUCCESS);
            assertThat(store.unlock("k-" + i, "o")).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(store.size()).isZero();
        assertThat(store.queuedForSweep()).as("leases queued for reclaiming").isLessThanOrEqualTo(2);
    }

    @Test
    void renewingALongHeldLockKeepsTheReclaimQueueSmall() {
        assertThat(store.tryLock("held", "o", 30)).isTrue();
        assertThat(store.tryLock("other", "o", 30)).isTrue();
        for (int i = 0; i < 100_000; i++) {
            assertThat(store.keepAlive("held", "o", 30)).isEqualTo(LockStatus.SUCCESS);
        }
        // One current lease per live key; the 100,000 superseded ones must not pile up.
        assertThat(store.queuedForSweep()).isLessThanOrEqualTo(2);
        assertThat(store.size()).isEqualTo(2);
    }
}
