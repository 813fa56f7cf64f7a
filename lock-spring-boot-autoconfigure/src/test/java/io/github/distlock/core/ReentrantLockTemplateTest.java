package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nested template calls on a lock their thread holds: reentrant by default, failing at once when not. */
@Timeout(60)
class ReentrantLockTemplateTest {

    private static final LockOptions WAIT = LockOptions.waitFor(Duration.ofSeconds(5));

    private final InMemoryLockStore memory = new InMemoryLockStore();
    private final CountingLockStore store = new CountingLockStore(memory);
    private final DistributedLockClient client = new DistributedLockClient(Map.of("jobs", store), "jobs",
            LockKeyNamespace.of("app"));
    private final LockTemplate locks = new LockTemplate(client);

    @AfterEach
    void close() {
        locks.watchdog().close();
    }

    private boolean free(String resourceId) {
        return TestStores.otherOwnerCanTake(memory, client, resourceId);
    }

    @Test
    void aNestedCallOnTheSameKeyRunsAtOnceUnderTheOuterLockWhichAloneIsReleased() {
        long[] innerTook = new long[1];
        int[] innerHolds = new int[1];
        locks.executeLocked("order:1", WAIT, outer -> {
            long start = System.nanoTime();
            String inner = locks.executeLocked("order:1", WAIT, lock -> {
                assertThat(lock).as("the outer lock itself").isSameAs(outer);
                innerHolds[0] = lock.holdCount();
                return "inner ran";
            });
            innerTook[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(inner).isEqualTo("inner ran");
            assertThat(outer.holdCount()).isEqualTo(1);
            assertThat(outer.isHeld()).isTrue();
            assertThat(store.unlocks).as("no Unlock at the inner end").hasValue(0);
            assertThat(free("order:1")).as("still held after the inner call").isFalse();
            return null;
        });
        assertThat(innerTook[0]).as("ms the inner call took (it would wait 5 s for itself)").isLessThan(500);
        assertThat(innerHolds[0]).isEqualTo(2);
        assertThat(store.tryLocks).as("one TryLock, the outer").hasValue(1);
        assertThat(store.unlocks).as("released once, at the outer end").hasValue(1);
        assertThat(free("order:1")).isTrue();
    }

    @Test
    void anInnerCallThatThrowsLeavesTheOuterLockHeld() {
        locks.executeLocked("order:2", WAIT, outer -> {
            assertThatThrownBy(() -> locks.executeLocked("order:2", WAIT, lock -> {
                throw new IllegalStateException("inner failed");
            })).hasMessage("inner failed");
            assertThat(outer.isHeld()).isTrue();
            assertThat(outer.holdCount()).isEqualTo(1);
            assertThat(free("order:2")).isFalse();
            return null;
        });
        assertThat(store.unlocks).hasValue(1);
    }

    @Test
    void aNestedCallOnAnotherKeyAcquiresAndReleasesItsOwnLock() {
        locks.executeLocked("order:3", WAIT, outer -> {
            locks.executeLocked("audit:3", WAIT, inner -> {
                assertThat(inner).isNotSameAs(outer);
                assertThat(inner.owner()).isNotEqualTo(outer.owner());
                assertThat(free("audit:3")).isFalse();
                return null;
            });
            assertThat(free("audit:3")).as("released at the inner end").isTrue();
            assertThat(free("order:3")).isFalse();
            return null;
        });
        assertThat(store.tryLocks).hasValue(2);
        assertThat(store.unlocks).hasValue(2);
    }

    @Test
    void withReentrancyOffANestedCallOnAHeldKeyFailsAtOnceInsteadOfWaitingForItself() {
        LockOptions notReentrant = LockOptions.builder().waitTime(Duration.ofSeconds(5)).reentrant(false).build();
        long[] took = new long[1];
        locks.executeLocked("order:4", WAIT, outer -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.executeLocked("order:4", notReentrant, lock -> "never"))
                    .isInstanceOf(LockNotAcquiredException.class)
                    .hasMessage("Lock 'order:4' in store 'jobs' was not acquired: this thread already holds it in an "
                            + "enclosing call, and reentrant is off for this call (waiting would wait for itself); "
                            + "make the call reentrant, or lock another key");
            assertThatThrownBy(() -> locks.tryAcquire("order:4", notReentrant))
                    .isInstanceOf(LockNotAcquiredException.class);
            took[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(outer.isHeld()).isTrue();
            return null;
        });
        assertThat(took[0]).as("ms to fail (the wait time is 5 s)").isLessThan(500);
        assertThat(store.tryLocks).hasValue(1);
    }

    @Test
    void acquireInsideACallOnTheSameKeyIsOneMoreHoldWhoseCloseSendsNoUnlock() {
        locks.executeLocked("order:5", WAIT, outer -> {
            Optional<LockHandle> nested = locks.tryAcquire("order:5", LockOptions.tryOnce());
            assertThat(nested).isPresent();
            try (LockHandle hold = nested.get()) {
                assertThat(hold.owner()).isEqualTo(outer.owner());
                assertThat(hold.holdCount()).isEqualTo(2);
                assertThat(hold.renew()).isEqualTo(LockStatus.SUCCESS);
            }
            assertThat(nested.get().isHeld()).isFalse();
            assertThat(nested.get().release()).as("idempotent").isEqualTo(LockStatus.SUCCESS);
            assertThat(outer.holdCount()).isEqualTo(1);
            assertThat(store.unlocks).hasValue(0);
            return null;
        });
        assertThat(store.tryLocks).hasValue(1);
        assertThat(store.unlocks).hasValue(1);
    }

    @Test
    void aHandleOfAcquireIsNotReenteredItIsAnotherOwnerAlsoOnItsThread() {
        try (LockHandle handle = locks.acquire("order:6", LockOptions.tryOnce())) {
            assertThat(locks.tryAcquire("order:6", LockOptions.tryOnce())).isEmpty();
            assertThatThrownBy(() -> locks.executeLocked("order:6", LockOptions.tryOnce(), lock -> "never"))
                    .isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("another owner holds it");
            assertThat(handle.isHeld()).isTrue();
        }
    }
}
