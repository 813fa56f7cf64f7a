package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.metrics.MicrometerLockMetrics;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code holdAtLeast}: a call that ends sooner leaves the lock to a lease set to end then, rounded up to seconds. */
@Timeout(60)
class HoldAtLeastTest {

    private final InMemoryLockStore memory = new InMemoryLockStore();
    private final CountingLockStore store = new CountingLockStore(memory);
    private final DistributedLockClient client = new DistributedLockClient(Map.of("jobs", store), "jobs",
            LockKeyNamespace.of("app"));
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final LockTemplate locks = new LockTemplate(client, new LockRecorders(new MicrometerLockMetrics(meters)),
            Duration.ofSeconds(30));

    @AfterEach
    void close() {
        locks.watchdog().close();
    }

    private boolean free(String resourceId) {
        return TestStores.otherOwnerCanTake(memory, client, resourceId);
    }

    /** Polls until the lock is free; returns when, in ms after {@code since}. */
    private long freeAfter(String resourceId, long since) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!free(resourceId)) {
            assertThat(System.nanoTime()).as("freed within 5 s").isLessThan(deadline);
            Thread.sleep(5);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    @Test
    void aShortCallKeepsTheLockUntilHoldAtLeastAfterItsAcquisitionRoundedUpToWholeSeconds() throws Exception {
        LockOptions options = LockOptions.builder().expire(Duration.ofSeconds(10))
                .holdAtLeast(Duration.ofMillis(1500)).build();
        long start = System.nanoTime();
        LockHandle[] seen = new LockHandle[1];
        locks.executeLocked("nightly", options, lock -> {
            seen[0] = lock;
            Thread.sleep(20);
            return null;
        });
        assertThat(seen[0].isHeld()).as("released, for its holder").isFalse();
        assertThat(store.unlocks).as("no Unlock").hasValue(0);
        assertThat(store.keepAlives).as("one LockKeepAlive to the rest").hasValue(1);
        assertThat(free("nightly")).as("kept after the call").isFalse();
        long freedAfter = freeAfter("nightly", start);
        // 20 ms of call, then the rest (1.48 s) rounded up to 2 s: free about 2.02 s after the acquisition.
        assertThat(freedAfter).as("ms from the acquisition until free").isBetween(1500L, 2000L + 300);
        assertThat(meters.get("distributed.lock.keepalive").tags("source", "template", "status", "success").counter()
                .count()).isEqualTo(1.0);
        assertThat(meters.get("distributed.lock.unlock").counters()).allSatisfy(counter ->
                assertThat(counter.count()).isZero());
        assertThat(meters.get("distributed.lock.active").gauge().value()).isZero();
        assertThat(meters.get("distributed.lock.held").timer().count()).isEqualTo(1);
    }

    @Test
    void aCallLongerThanHoldAtLeastReleasesWithUnlock() throws Exception {
        LockOptions options = LockOptions.builder().expire(Duration.ofSeconds(10))
                .holdAtLeast(Duration.ofMillis(200)).build();
        locks.executeLocked("short-hold", options, lock -> {
            Thread.sleep(300);
            return null;
        });
        assertThat(store.unlocks).hasValue(1);
        assertThat(store.keepAlives).hasValue(0);
        assertThat(free("short-hold")).isTrue();
    }

    @Test
    void aHandleReleasedSoonerIsKeptToo() throws Exception {
        LockHandle lock = locks.acquire("handle", LockOptions.builder().expire(Duration.ofSeconds(5))
                .holdAtLeast(Duration.ofSeconds(1)).build());
        long start = System.nanoTime();
        assertThat(lock.release()).isEqualTo(LockStatus.SUCCESS);
        assertThat(freeAfter("handle", start)).isBetween(800L, 1000L + 300);
    }

    @Test
    void holdAtLeastLongerThanTheLeaseIsRefusedNamingIt() {
        assertThatThrownBy(() -> LockOptions.builder().expire(Duration.ofSeconds(5))
                .holdAtLeast(Duration.ofSeconds(6)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("holdAtLeast 'PT6S' is longer than the lease of 5s (after the call the lock is kept only "
                        + "by its lease, so holdAtLeast must be at most expire).");
        assertThatThrownBy(() -> LockOptions.builder().holdAtLeast(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("holdAtLeast 'PT-1S' is negative");
        LockOptions pastDefault = LockOptions.builder().holdAtLeast(Duration.ofSeconds(31)).build();
        assertThatThrownBy(() -> locks.executeLocked("x", pastDefault, lock -> "never"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holdAtLeast 'PT31S' is longer than the lease of 30s")
                .hasMessageContaining("distributed-lock.default-expire");
        assertThat(store.tryLocks).hasValue(0);
    }
}
