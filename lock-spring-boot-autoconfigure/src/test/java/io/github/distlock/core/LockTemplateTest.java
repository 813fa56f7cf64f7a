package io.github.distlock.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.UnknownLockStoreException;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.metrics.MicrometerLockMetrics;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LockTemplate} on the in-memory store: the lifecycle of a lock taken from code, and its metrics. */
@Timeout(60)
class LockTemplateTest {

    private final AtomicLong clock = new AtomicLong();
    private final InMemoryLockStore orders = new InMemoryLockStore(clock::get);
    private final TestStores.Counting jobs = new TestStores.Counting(new InMemoryLockStore());
    private final DistributedLockClient client = new DistributedLockClient(stores(), "orders",
            LockKeyNamespace.of("billing"));
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final LockTemplate locks = new LockTemplate(client,
            new LockRecorders(new MicrometerLockMetrics(meters)), Duration.ofSeconds(30));

    private Map<String, LockStore> stores() {
        Map<String, LockStore> stores = new LinkedHashMap<>();
        stores.put("orders", orders);
        stores.put("jobs", jobs);
        return stores;
    }

    @Test
    void executeLockedRunsUnderTheLockAndReleasesAfterReturning() {
        String result = locks.executeLocked("order:1", LockOptions.tryOnce(), lock -> {
            assertThat(lock.isHeld()).isTrue();
            assertThat(otherOwnerCanTake("order:1")).as("held during the callback").isFalse();
            return "paid";
        });
        assertThat(result).isEqualTo("paid");
        assertThat(otherOwnerCanTake("order:1")).as("free after the callback").isTrue();
    }

    @Test
    void executeLockedReleasesAfterAnExceptionWhichReachesTheCallerUnchanged() {
        IOException failure = new IOException("disk full");
        assertThatThrownBy(() -> locks.executeLocked("order:2", LockOptions.tryOnce(), lock -> {
            throw failure;
        })).isSameAs(failure);
        assertThat(otherOwnerCanTake("order:2")).isTrue();

        Runnable failing = () -> {
            throw new IllegalStateException("declined");
        };
        assertThatThrownBy(() -> locks.executeLocked("order:3", LockOptions.tryOnce(), failing))
                .hasMessage("declined");
        assertThat(otherOwnerCanTake("order:3")).isTrue();
    }

    @Test
    void executeLockedDoesNotRunTheCallbackWhenTheLockIsHeld() {
        LockHandle holder = locks.acquire("order:4", LockOptions.tryOnce());
        assertThatThrownBy(() -> locks.executeLocked("order:4", LockOptions.tryOnce(), lock -> {
            throw new AssertionError("must not run");
        })).isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("order:4")
                .hasMessageContaining("'orders'").hasMessageContaining("another owner holds it");
        assertThat(locks.executeLocked("order:4", LockOptions.tryOnce(), lock -> "ran", () -> "skipped"))
                .isEqualTo("skipped");
        holder.close();
        assertThat(locks.executeLocked("order:4", LockOptions.tryOnce(), lock -> "ran", () -> "skipped"))
                .isEqualTo("ran");
    }

    @Test
    void acquireGivesAHandleThatCloseReleases() {
        Instant before = Instant.now();
        LockHandle lock;
        try (LockHandle held = locks.acquire("order:5", LockOptions.tryOnce())) {
            lock = held;
            assertThat(held.storeName()).as("the default store, resolved").isEqualTo("orders");
            assertThat(held.resourceId()).isEqualTo("order:5");
            assertThat(held.owner()).hasSize(36);
            assertThat(held.expireSeconds()).as("the template's default lease").isEqualTo(30);
            assertThat(held.acquiredAt()).isBetween(before.minusMillis(1), Instant.now().plusMillis(1));
            assertThat(held.fencingToken()).as("the in-memory store hands out tokens").isPresent();
            assertThat(held.isHeld()).isTrue();
            assertThat(otherOwnerCanTake("order:5")).isFalse();
        }
        assertThat(lock.isHeld()).isFalse();
        assertThat(otherOwnerCanTake("order:5")).isTrue();
        LockHandle again = locks.acquire("order:5b", LockOptions.tryOnce());
        assertThat(again.owner()).as("a fresh owner per acquisition").isNotEqualTo(lock.owner());
        assertThat(again.fencingToken().getAsLong()).as("tokens grow")
                .isGreaterThan(lock.fencingToken().getAsLong());
        again.close();
    }

    @Test
    void tryAcquireIsEmptyWhileAnotherOwnerHoldsTheLock() {
        // In "jobs", whose clock is real: waiting in "orders" would wait on its stopped test clock.
        LockOptions once = LockOptions.inStore("jobs");
        LockOptions wait50ms = once.toBuilder().waitTime(Duration.ofMillis(50)).build();
        LockHandle holder = locks.acquire("order:6", once);
        assertThat(locks.tryAcquire("order:6", once)).isEmpty();
        assertThat(locks.tryAcquire("order:6", wait50ms)).isEmpty();
        assertThatThrownBy(() -> locks.acquire("order:6", wait50ms))
                .isInstanceOf(LockNotAcquiredException.class)
                .hasMessageContaining("another owner held it for all of the wait time");
        holder.close();
        Optional<LockHandle> taken = locks.tryAcquire("order:6", once);
        assertThat(taken).isPresent();
        taken.get().close();
    }

    @Test
    void releaseSendsOneUnlockAndIsIdempotent() {
        LockHandle lock = locks.acquire("job:1", LockOptions.inStore("jobs"));
        assertThat(lock.fencingToken()).as("a store without FencedLockStore").isEmpty();
        assertThat(lock.release()).isEqualTo(LockStatus.SUCCESS);
        assertThat(lock.release()).as("the first answer again").isEqualTo(LockStatus.SUCCESS);
        lock.close();
        assertThat(jobs.unlocks).hasValue(1);
        assertThatThrownBy(lock::renew).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
    }

    @Test
    void renewExtendsTheLease() {
        LockOptions twoSeconds = LockOptions.builder().expire(Duration.ofSeconds(2)).build();
        try (LockHandle lock = locks.acquire("order:7", twoSeconds)) {
            assertThat(lock.expireSeconds()).isEqualTo(2);
            clock.set(TimeUnit.MILLISECONDS.toNanos(1_500));
            assertThat(lock.renew()).isEqualTo(LockStatus.SUCCESS);
            clock.set(TimeUnit.MILLISECONDS.toNanos(3_000));
            assertThat(otherOwnerCanTake("order:7")).as("renewed until 3.5 s").isFalse();
            clock.set(TimeUnit.MILLISECONDS.toNanos(3_500));
            assertThat(lock.renew()).as("the lease is over").isEqualTo(LockStatus.LOCK_UNEXIST);
        }
    }

    @Test
    void aLeaseThatRanOutIsReportedByReleaseAndTheNewOwnersLockIsKept() {
        LockHandle lock = locks.acquire("order:8", LockOptions.builder().expire(Duration.ofSeconds(1)).build());
        clock.set(TimeUnit.SECONDS.toNanos(1));
        assertThat(orders.tryLock(client.key("order:8"), "new-owner", 60)).isTrue();
        assertThat(lock.release()).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(orders.unlock(client.key("order:8"), "new-owner")).as("still the new owner's")
                .isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aFailedUnlockIsSuppressedInTheCallbacksExceptionAndNeverHidesItsResult() {
        jobs.failNextUnlock.set(true);
        assertThatThrownBy(() -> locks.executeLocked("job:2", LockOptions.inStore("jobs"), lock -> {
            throw new IllegalStateException("work failed");
        })).hasMessage("work failed").satisfies(e -> assertThat(e.getSuppressed())
                .singleElement().isInstanceOf(LockStoreException.class));

        jobs.failNextUnlock.set(true);
        String result = locks.executeLocked("job:3", LockOptions.inStore("jobs"), lock -> "done");
        assertThat(result).isEqualTo("done");

        LockHandle lock = locks.acquire("job:4", LockOptions.inStore("jobs"));
        jobs.failNextUnlock.set(true);
        assertThatThrownBy(lock::release).isInstanceOf(LockStoreException.class)
                .hasMessageContaining("connection reset");
        assertThat(lock.release()).as("not sent again").isEqualTo(LockStatus.INTERNAL_ERROR);
        lock.close();
        assertThat(jobs.unlocks).hasValue(3);
    }

    @Test
    void optionsChooseTheStoreAndTheLease() {
        try (LockHandle lock = locks.acquire("r", LockOptions.builder().store("jobs")
                .expire(Duration.ofMinutes(2)).build())) {
            assertThat(lock.storeName()).isEqualTo("jobs");
            assertThat(lock.expireSeconds()).isEqualTo(120);
            assertThat(jobs.locks.size()).isEqualTo(1);
            assertThat(orders.size()).isZero();
        }
        assertThatThrownBy(() -> locks.acquire("r", LockOptions.inStore("payments")))
                .isInstanceOf(UnknownLockStoreException.class).hasMessageContaining("[orders, jobs]");
        assertThat(meters.find("distributed.lock.acquire").tag("store", "payments").meters())
                .as("no meters for a store that does not exist").isEmpty();
        assertThatThrownBy(() -> locks.acquire(" ", LockOptions.tryOnce()))
                .hasMessageContaining("resource_id must not be blank");
    }

    @Test
    void recordsMetricsWithSourceTemplate() {
        locks.executeLocked("m:1", LockOptions.tryOnce(), lock -> null);
        LockHandle held = locks.acquire("m:2", LockOptions.tryOnce());
        assertThat(meters.get("distributed.lock.active").tag("store", "orders").gauge().value()).isEqualTo(1);
        assertThat(held.renew()).isEqualTo(LockStatus.SUCCESS);
        assertThat(locks.tryAcquire("m:2", LockOptions.tryOnce())).isEmpty();
        held.close();

        assertThat(meters.get("distributed.lock.acquire").tags("store", "orders", "source", "template",
                "result", "acquired").timer().count()).isEqualTo(2);
        assertThat(meters.get("distributed.lock.acquire").tags("source", "template", "result", "not_acquired")
                .timer().count()).isEqualTo(1);
        assertThat(meters.get("distributed.lock.held").tags("store", "orders", "source", "template").timer().count())
                .isEqualTo(2);
        assertThat(meters.get("distributed.lock.unlock").tags("source", "template", "status", "success").counter()
                .count()).isEqualTo(2.0);
        assertThat(meters.get("distributed.lock.keepalive").tags("source", "template", "status", "success")
                .counter().count()).isEqualTo(1.0);
        assertThat(meters.get("distributed.lock.active").tag("store", "orders").gauge().value()).isZero();

        locks.withMetricsSource(LockMetrics.SOURCE_ANNOTATION).executeLocked("m:3", LockOptions.tryOnce(),
                lock -> null);
        assertThat(meters.get("distributed.lock.acquire").tags("source", "annotation", "result", "acquired")
                .timer().count()).isEqualTo(1);
        assertThat(meters.get("distributed.lock.acquire").tags("source", "template", "result", "acquired")
                .timer().count()).as("unchanged").isEqualTo(2);
    }

    @Test
    void theDefaultLeaseIsChecked() {
        assertThatThrownBy(() -> new LockTemplate(client, new LockRecorders(LockMetrics.NOOP), Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of seconds");
        assertThat(new LockTemplate(client).defaultExpireSeconds()).isEqualTo(30);
    }

    private boolean otherOwnerCanTake(String resourceId) {
        return TestStores.otherOwnerCanTake(orders, client, resourceId);
    }
}
