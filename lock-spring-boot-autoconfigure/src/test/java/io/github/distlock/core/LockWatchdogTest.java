package io.github.distlock.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.metrics.MicrometerLockMetrics;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The watchdog on the in-memory store (leases on the real monotonic clock): renewal while a lock is held, and the
 * loss signal when it is not (keep-alive refused, store failing past the lease, renewal off).
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class LockWatchdogTest {

    private final InMemoryLockStore memory = new InMemoryLockStore();
    private final CountingLockStore store = new CountingLockStore(memory);
    private final DistributedLockClient client = new DistributedLockClient(Map.of("jobs", store), "jobs",
            LockKeyNamespace.of("batch"));
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final LockRecorders recorders = new LockRecorders(new MicrometerLockMetrics(meters));
    private final List<LockLostEvent> events = new CopyOnWriteArrayList<>();
    private final LockWatchdog watchdog = new LockWatchdog(client, recorders.metrics(), true, events::add);
    private final LockTemplate locks = new LockTemplate(client, recorders, Duration.ofSeconds(30), watchdog);

    @AfterEach
    void close() {
        watchdog.close();
    }

    private static LockOptions expire(int seconds) {
        return LockOptions.builder().expire(Duration.ofSeconds(seconds)).build();
    }

    private boolean anotherOwnerTakes(String resourceId) {
        return TestStores.otherOwnerCanTake(memory, client, resourceId);
    }

    private double lost(String source) {
        return meters.get("distributed.lock.lost").tags("store", "jobs", "source", source).counter().count();
    }

    @Test
    void aCallThreeTimesItsLeaseKeepsTheLockAllAlongAndRenewalStopsWhenItEnds() throws InterruptedException {
        long[] contenderTries = new long[1];
        locks.executeLocked("nightly", expire(1), lock -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3200);
            while (System.nanoTime() < end) {
                assertThat(anotherOwnerTakes("nightly")).as("taken by another owner while held").isFalse();
                assertThat(lock.isHeld()).isTrue();
                contenderTries[0]++;
                Thread.sleep(50);
            }
            return null;
        });
        assertThat(contenderTries[0]).isGreaterThan(30);
        CountingLockStore.Renewals renewals = store.renewalsOf(client.key("nightly"));
        assertThat(renewals.count()).as("a renewal every third of the 1 s lease").isBetween(8, 11);
        assertThat(renewals.longestGapMillis()).as("longest time without renewal").isLessThan(600);
        assertThat(anotherOwnerTakes("nightly")).as("released at the end").isTrue();
        int renewed = store.keepAlives.get();
        await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(store.keepAlives).as("no renewal after the end").hasValue(renewed));
        assertThat(watchdog.watchedCount()).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void aLockRemovedBehindItsBackIsLostWithinAThirdOfItsLeaseAndTheHolderIsTold(CapturedOutput output)
            throws InterruptedException {
        String[] endedHeld = new String[1];
        long[] lostAfter = new long[1];
        locks.executeLocked("report", expire(3), lock -> {
            Thread.sleep(100);
            long removed = System.nanoTime();
            assertThat(memory.unlock(client.key("report"), lock.owner())).isEqualTo(LockStatus.SUCCESS);
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5)).until(() -> !lock.isHeld());
            lostAfter[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
            endedHeld[0] = String.valueOf(CurrentLock.get().map(LockHandle::isHeld).orElseThrow());
            return null;
        });
        assertThat(lostAfter[0]).as("ms from the removal to isHeld() == false").isLessThan(1000 + 300);
        assertThat(endedHeld[0]).as("the current lock says so too").isEqualTo("false");
        await().atMost(Duration.ofSeconds(2)).until(() -> events.size() == 1);
        LockLostEvent event = events.get(0);
        assertThat(event.storeName()).isEqualTo("jobs");
        assertThat(event.resourceId()).isEqualTo("report");
        assertThat(event.cause()).isEqualTo(LockLossCause.KEEP_ALIVE_REFUSED);
        assertThat(event.detail()).contains("LockKeepAlive answered LOCK_UNEXIST");
        assertThat(event.fencingToken()).as("the counting wrapper is no FencedLockStore").isEmpty();
        assertThat(lost("template")).isEqualTo(1.0);
        assertThat(output).contains("Lock 'report' in store 'jobs' (owner " + event.owner() + ") was lost while it "
                + "was held: LockKeepAlive answered LOCK_UNEXIST");
        assertThat(output).as("the end of the call names the cause too").contains("Lock 'report' in store 'jobs' "
                + "was no longer held by its owner when released (Unlock answered LOCK_UNEXIST): it was lost while it "
                + "was held (LockKeepAlive answered LOCK_UNEXIST");
    }

    @Test
    void withRenewalOffTheLeaseRunsOutAndTheHolderIsToldAtItsEnd() {
        LockOptions noRenewal = LockOptions.builder().expire(Duration.ofSeconds(1)).renewal(false).build();
        long[] heldFor = new long[1];
        locks.executeLocked("once", noRenewal, lock -> {
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5)).until(() -> !lock.isHeld());
            heldFor[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(anotherOwnerTakes("once")).as("the store freed it: it is really lost").isTrue();
            return null;
        });
        assertThat(heldFor[0]).as("ms until lost").isBetween(900L, 1000L + 300);
        assertThat(store.keepAlives).hasValue(0);
        await().atMost(Duration.ofSeconds(2)).until(() -> events.size() == 1);
        assertThat(events.get(0).cause()).isEqualTo(LockLossCause.LEASE_EXPIRED);
        assertThat(events.get(0).detail()).contains("lease of 1s ran out while it was held (renewal is off)");
        assertThat(lost("template")).isEqualTo(1.0);
    }

    @Test
    void renewalsFailingUntilTheLeaseIsOverLoseTheLockThenAndNotBefore() {
        store.failKeepAlives.set(true);
        long[] lostAfter = new long[1];
        assertThatThrownBy(() -> locks.executeLocked("flaky", LockOptions.builder().expire(Duration.ofSeconds(2))
                .onLockLost(OnLockLost.THROW).build(), lock -> {
                    long start = System.nanoTime();
                    await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(5))
                            .until(() -> !lock.isHeld());
                    lostAfter[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    return "done";
                })).isInstanceOf(LockLostException.class)
                .hasMessageContaining("Lock 'flaky' in store 'jobs' was lost while it was held: renewals failed since")
                .hasMessageContaining("connection refused during LockKeepAlive")
                .hasMessageContaining("until its lease of 2s was over by this JVM's clock");
        assertThat(lostAfter[0]).as("ms until lost: the lease, counted from the TryLock").isBetween(1900L, 2000L + 300);
        assertThat(store.keepAlives.get()).as("renewals tried again after each failure").isGreaterThan(3);
        assertThat(meters.get("distributed.lock.keepalive").tags("source", "template", "status", "error").counter()
                .count()).isEqualTo(store.keepAlives.get());
    }

    @Test
    void onLockLostThrowFailsTheCallWhenItReturnsAndIsSuppressedWhenItThrows() {
        LockOptions throwing = LockOptions.builder().expire(Duration.ofSeconds(1)).onLockLost(OnLockLost.THROW).build();
        assertThatThrownBy(() -> locks.executeLocked("strict", throwing, lock -> {
            removeAndAwaitLoss(lock);
            return "result nobody sees";
        })).isInstanceOf(LockLostException.class).hasMessageContaining("LockKeepAlive answered LOCK_UNEXIST")
                .satisfies(e -> assertThat(((LockLostException) e).getLossCause())
                        .isEqualTo(LockLossCause.KEEP_ALIVE_REFUSED));

        IllegalStateException own = new IllegalStateException("declined");
        assertThatThrownBy(() -> locks.executeLocked("strict", throwing, lock -> {
            removeAndAwaitLoss(lock);
            throw own;
        })).isSameAs(own);
        assertThat(own.getSuppressed()).hasSize(1).allSatisfy(suppressed ->
                assertThat(suppressed).isInstanceOf(LockLostException.class));

        String result = locks.executeLocked("lenient", expire(1), lock -> {
            removeAndAwaitLoss(lock);
            return "returned normally";
        });
        assertThat(result).as("CONTINUE, the default").isEqualTo("returned normally");
    }

    private void removeAndAwaitLoss(LockHandle lock) {
        memory.unlock(client.key(lock.resourceId()), lock.owner());
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5)).until(() -> !lock.isHeld());
    }

    @Test
    void onLockLostInterruptInterruptsTheRunningCallOnlyAndClearsTheFlagAfterIt() {
        LockOptions interrupting = LockOptions.builder().expire(Duration.ofSeconds(3))
                .onLockLost(OnLockLost.INTERRUPT).build();
        AtomicLong removedAt = new AtomicLong();
        long[] interruptedAfter = new long[1];
        Thread remover = new Thread(() -> {
            await().atMost(Duration.ofSeconds(5)).until(() -> watchdog.watchedCount() == 1);
            WatchedLock watched = watchdog.watchedLocks().get(0);
            removedAt.set(System.nanoTime());
            memory.unlock(client.key(watched.resourceId), watched.owner);
        });
        remover.start();
        assertThatThrownBy(() -> locks.executeLocked("long-job", interrupting, lock -> {
            try {
                Thread.sleep(20_000);
                return "finished";
            } catch (InterruptedException e) {
                interruptedAfter[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removedAt.get());
                return "interrupted";
            }
        })).isInstanceOf(LockLostException.class);
        assertThat(interruptedAfter[0]).as("ms from the removal to the interrupt").isPositive().isLessThan(1000 + 300);
        assertThat(Thread.currentThread().isInterrupted()).as("the flag the loss set is cleared").isFalse();

        // A call that ended is never interrupted by a later loss of its (released) lock.
        AtomicBoolean later = new AtomicBoolean();
        locks.executeLocked("short-job", interrupting, () -> later.set(true));
        assertThat(later).isTrue();
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void renewalOffForAllRenewsNothingWhateverTheOptionsSay() {
        LockWatchdog off = new LockWatchdog(client, recorders.metrics(), false, events::add);
        try {
            LockTemplate noRenewals = new LockTemplate(client, recorders, Duration.ofSeconds(30), off);
            try (LockHandle lock = noRenewals.acquire("quiet", expire(1))) {
                await().atMost(Duration.ofSeconds(3)).until(() -> !lock.isHeld());
                assertThat(store.keepAlives).hasValue(0);
            }
            assertThat(off.isRenewalEnabled()).isFalse();
        } finally {
            off.close();
        }
    }

    @Test
    void aStoppedWatchdogRenewsNoMoreAndAStartedOneRenewsAgain() throws InterruptedException {
        try (LockHandle lock = locks.acquire("paused", expire(3))) {
            await().atMost(Duration.ofSeconds(3)).until(() -> store.keepAlives.get() >= 1);
            watchdog.stop();
            assertThat(watchdog.isRunning()).isFalse();
            Thread.sleep(200); // a renewal under way ends
            int renewed = store.keepAlives.get();
            Thread.sleep(1200); // past the next renewal, within the lease
            assertThat(store.keepAlives).as("no renewal while stopped").hasValue(renewed);
            watchdog.start();
            await().atMost(Duration.ofSeconds(1)).until(() -> store.keepAlives.get() > renewed);
            assertThat(lock.isHeld()).isTrue();
        }
    }

    @Test
    void aThousandHeldLocksAreAllRenewedOnTimeByTheOneWatchdog() {
        RenewalLoad.Result result = RenewalLoad.run(locks, store, client, 1000, 3, Duration.ofMillis(4500));
        System.out.println("In-memory: " + result);
        result.assertNoRenewalMissed();
    }
}
