package io.github.distlock.store.inmemory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the in-memory store does beyond the shared contract. */
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

    @Test
    void fencingTokensGrowWithEveryGrant() {
        long first = store.tryLockFenced("fenced", "a", 1);
        assertThat(first).isPositive();
        assertThat(store.tryLockFenced("fenced", "b", 1)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        long second = store.tryLockFenced("fenced", "b", 1);
        assertThat(second).isGreaterThan(first);
        assertThat(store.keepAlive("fenced", "b", 5)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlock("fenced", "a")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    }

    @Test
    void aWaiterWakesWhenTheLockIsReleased() throws Exception {
        InMemoryLockStore realTime = new InMemoryLockStore();
        assertThat(realTime.tryLock("wake", "holder", 60)).isTrue();
        CountDownLatch woke = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                realTime.awaitRelease("wake", Duration.ofSeconds(30));
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        assertThat(woke.await(200, TimeUnit.MILLISECONDS)).as("still held: the waiter waits").isFalse();
        assertThat(realTime.unlock("wake", "holder")).isEqualTo(LockStatus.SUCCESS);
        assertThat(woke.await(5, TimeUnit.SECONDS)).as("released: the waiter wakes long before its 30s").isTrue();
        waiter.join(5000);
    }

    @Test
    void awaitingAFreeKeyReturnsAtOnce() throws Exception {
        long start = System.nanoTime();
        new InMemoryLockStore().awaitRelease("free", Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
