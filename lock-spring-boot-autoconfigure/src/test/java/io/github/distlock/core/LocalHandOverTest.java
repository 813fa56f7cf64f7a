package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A release while another acquisition of this JVM waits: the lock is handed straight to the waiter in one store call
 * ({@link LocalHandOver}), and whatever goes wrong on the way (the holder lost the lock, the store failed, the waiter
 * gave up meanwhile) ends with the release answering what Unlock would and no lock left held by nobody.
 */
@Timeout(60)
class LocalHandOverTest {

    private static final LockOptions WAIT = LockOptions.builder().waitTime(Duration.ofSeconds(30)).renewal(false)
            .build();

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** An in-memory store that counts its calls, and whose hand-overs a test can hold up, fail or fail once applied. */
    static final class ScriptedStore extends CountingWaitingStore implements HandOverLockStore {

        /** RELEASE_INSTEAD: the store yields to another application's contender, releasing as Unlock does. */
        enum Fault { NONE, FAIL_BEFORE, FAIL_AFTER, RELEASE_INSTEAD }

        volatile Fault fault = Fault.NONE;
        volatile int maxInARow = 16;
        /** When set, a hand-over counts it down and waits for {@link #proceed} before it goes to the store. */
        volatile CountDownLatch entered;
        final CountDownLatch proceed = new CountDownLatch(1);

        ScriptedStore(LongSupplier clock) {
            super(new InMemoryLockStore(clock));
        }

        @Override
        public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
            handOvers.incrementAndGet();
            CountDownLatch gate = entered;
            if (gate != null) {
                gate.countDown();
                try {
                    assertThat(proceed.await(20, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (fault == Fault.FAIL_BEFORE) {
                throw new IllegalStateException("connection reset before the hand-over");
            }
            if (fault == Fault.RELEASE_INSTEAD) {
                assertThat(delegate().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
                return RELEASED;
            }
            long token = ((HandOverLockStore) delegate()).handOver(key, owner, nextOwner, expireSeconds);
            if (fault == Fault.FAIL_AFTER) {
                throw new IllegalStateException("connection reset after the hand-over");
            }
            return token;
        }

        @Override
        public int maxHandOversInARow() {
            return maxInARow;
        }
    }

    private final AtomicLong clock = new AtomicLong(System.nanoTime());
    private final ScriptedStore store = new ScriptedStore(() -> clock.get() + System.nanoTime());
    private final DistributedLockClient client = new DistributedLockClient(Map.of("store", store), "store",
            LockKeyNamespace.of("handover"));
    private final LockTemplate locks = new LockTemplate(client);

    /** Starts an acquisition of {@code resourceId} in a thread of its own; returns once it waits in line. */
    private Future<LockHandle> waiter(String resourceId, LockOptions options, AtomicReference<Thread> thread) {
        Future<LockHandle> handle = threads.submit(() -> {
            thread.set(Thread.currentThread());
            return locks.tryAcquire(resourceId, options).orElse(null);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null
                && LockSupport.getBlocker(thread.get()) instanceof LocalLockQueue);
        return handle;
    }

    @Test
    void theReleaseHandsTheLockToTheWaiterWhoEntersWithoutATryLockAndALargerToken() throws Exception {
        LockHandle holder = locks.acquire("k", WAIT);
        Future<LockHandle> next = waiter("k", WAIT, new AtomicReference<>());
        assertThat(store.tryLocks).hasValue(1);

        assertThat(holder.release()).isEqualTo(LockStatus.SUCCESS);
        LockHandle handed = next.get(10, TimeUnit.SECONDS);

        assertThat(handed).isNotNull();
        assertThat(handed.isHeld()).isTrue();
        assertThat(handed.fencingToken().getAsLong()).isGreaterThan(holder.fencingToken().getAsLong());
        assertThat(store.tryLocks).as("the waiter sent no TryLock").hasValue(1);
        assertThat(store.handOvers).hasValue(1);
        assertThat(store.unlocks).as("the holder sent no Unlock").hasValue(0);
        String key = client.key("k");
        assertThat(store.delegate().unlock(key, holder.owner())).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(handed.release()).as("nobody waits: Unlock").isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlocks).hasValue(1);
        assertThat(locks.tryAcquire("k", LockOptions.tryOnce())).as("free").isPresent().get()
                .extracting(LockHandle::release).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aWaiterInterruptedWhileTheHandOverIsInFlightLeavesAtOnceAndTheHandedLockIsUnlocked() throws Exception {
        LockHandle holder = locks.acquire("k", WAIT);
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<LockHandle> next = waiter("k", WAIT, waiterThread);
        store.entered = new CountDownLatch(1);
        Future<LockStatus> release = threads.submit(holder::release);
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();

        waiterThread.get().interrupt();
        assertThatThrownBy(() -> next.get(10, TimeUnit.SECONDS)).as("while the hand-over is still held up")
                .hasCauseInstanceOf(LockNotAcquiredException.class);
        assertThat(release.isDone()).isFalse();
        store.proceed.countDown();

        assertThat(release.get(10, TimeUnit.SECONDS)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlocks).as("the hand-over undone by an Unlock for the waiter's owner").hasValue(1);
        assertFree("k");
    }

    @Test
    void aWaiterWhoseWaitEndsWhileTheHandOverIsInFlightGetsNothingAndTheHandedLockIsUnlocked() throws Exception {
        LockHandle holder = locks.acquire("k", WAIT);
        Future<LockHandle> next = waiter("k", LockOptions.builder().waitTime(Duration.ofSeconds(3)).build(),
                new AtomicReference<>());
        store.entered = new CountDownLatch(1);
        Future<LockStatus> release = threads.submit(holder::release);
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(next.get(10, TimeUnit.SECONDS)).as("not acquired within its wait time").isNull();
        store.proceed.countDown();

        assertThat(release.get(10, TimeUnit.SECONDS)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlocks).hasValue(1);
        assertFree("k");
    }

    @Test
    void aHolderThatLostItsLockReleasesWithUnlocksAnswerAndTheWaiterContends() throws Exception {
        LockHandle holder = locks.acquire("k", LockOptions.builder().waitTime(Duration.ofSeconds(30))
                .expire(Duration.ofSeconds(5)).renewal(false).build());
        Future<LockHandle> next = waiter("k", WAIT, new AtomicReference<>());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(10)); // the store's lease of the holder is over

        assertThat(holder.release()).as("what Unlock answers for an expired lock").isEqualTo(LockStatus.LOCK_UNEXIST);
        LockHandle contended = next.get(10, TimeUnit.SECONDS);

        assertThat(contended).isNotNull();
        assertThat(store.handOvers).hasValue(1);
        assertThat(store.tryLocks).as("the holder's TryLock and the waiter's").hasValue(2);
        assertThat(contended.release()).isEqualTo(LockStatus.SUCCESS);
    }

    /** Whether applied or not, a failed hand-over ends as an Unlock: the release answers SUCCESS, the waiter gets in. */
    @ParameterizedTest
    @EnumSource(value = ScriptedStore.Fault.class, names = {"FAIL_BEFORE", "FAIL_AFTER"})
    void aFailedHandOverReleasesAsUnlockWouldAndTheWaiterStillGetsTheLock(ScriptedStore.Fault fault)
            throws Exception {
        store.fault = fault;
        LockHandle holder = locks.acquire("k", WAIT);
        Future<LockHandle> next = waiter("k", WAIT, new AtomicReference<>());

        assertThat(holder.release()).isEqualTo(LockStatus.SUCCESS);
        LockHandle contended = next.get(10, TimeUnit.SECONDS);

        assertThat(contended).as("its TryLock did not find its own owner's lock held").isNotNull();
        assertThat(store.tryLocks).hasValue(2);
        // Applied: the holder's Unlock answers LOCK_BELONG_TO_OTHERS, and the Unlock for the waiter's owner undoes it.
        assertThat(store.unlocks).hasValue(fault == ScriptedStore.Fault.FAIL_AFTER ? 2 : 1);
        assertThat(contended.release()).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aStoreThatReleasesInsteadOfHandingOverAnswersAsUnlockAndTheWaiterContends() throws Exception {
        store.fault = ScriptedStore.Fault.RELEASE_INSTEAD;
        LockHandle holder = locks.acquire("k", WAIT);
        Future<LockHandle> next = waiter("k", WAIT, new AtomicReference<>());

        assertThat(holder.release()).as("what the Unlock it was answers").isEqualTo(LockStatus.SUCCESS);
        LockHandle contended = next.get(10, TimeUnit.SECONDS);

        assertThat(contended).isNotNull();
        assertThat(contended.fencingToken().getAsLong()).isGreaterThan(holder.fencingToken().getAsLong());
        assertThat(store.handOvers).hasValue(1);
        assertThat(store.unlocks).as("no Unlock besides the store's release").hasValue(0);
        assertThat(store.tryLocks).as("the holder's TryLock and the waiter's").hasValue(2);
        assertThat(contended.release()).isEqualTo(LockStatus.SUCCESS);
        assertFree("k");
    }

    @Test
    void afterAsManyHandOversInARowAsTheStoreAllowsAReleaseGoesByUnlock() throws Exception {
        store.maxInARow = 1;
        LockHandle holder = locks.acquire("k", WAIT);
        Future<LockHandle> second = waiter("k", WAIT, new AtomicReference<>());
        Future<LockHandle> third = waiter("k", WAIT, new AtomicReference<>());

        assertThat(holder.release()).isEqualTo(LockStatus.SUCCESS);
        LockHandle handed = second.get(10, TimeUnit.SECONDS);
        assertThat(store.handOvers).hasValue(1);
        assertThat(handed.release()).isEqualTo(LockStatus.SUCCESS);
        LockHandle contended = third.get(10, TimeUnit.SECONDS);

        assertThat(store.handOvers).as("one hand-over in a row allowed").hasValue(1);
        assertThat(store.unlocks).hasValue(1);
        assertThat(store.tryLocks).as("the first holder's TryLock and the third's").hasValue(2);
        assertThat(contended.release()).isEqualTo(LockStatus.SUCCESS);
    }

    private void assertFree(String resourceId) {
        LockHandle free = locks.tryAcquire(resourceId, LockOptions.tryOnce()).orElse(null);
        assertThat(free).as("'" + resourceId + "' free").isNotNull();
        assertThat(free.release()).isEqualTo(LockStatus.SUCCESS);
    }
}
