package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How {@link LockTemplate} waits for a lock another owner holds: woken by the release, or by backoff. */
@Timeout(60)
class LockTemplateWaitingTest {

    private static final LockOptions WAIT_10S = LockOptions.waitFor(Duration.ofSeconds(10));

    private final ExecutorService waiters = Executors.newCachedThreadPool();

    @AfterEach
    void stopWaiters() throws InterruptedException {
        waiters.shutdownNow();
        assertThat(waiters.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWaiterWakesOnTheReleaseWithOneTryLockInsteadOfPolling() throws Exception {
        TestStores.CountingAwaiting store = new TestStores.CountingAwaiting(new InMemoryLockStore());
        LockTemplate locks = template(store);
        LockHandle holder = locks.acquire("order:1", LockOptions.tryOnce());
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Long> acquiredAt = waiters.submit(() -> {
            waiterThread.set(Thread.currentThread());
            try (LockHandle lock = locks.acquire("order:1", WAIT_10S)) {
                return System.nanoTime();
            }
        });
        // The waiter's first TryLock failed and it now waits for the release.
        await().atMost(Duration.ofSeconds(5)).until(() -> store.awaits.get() == 1 && waiterThread.get() != null
                && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
        Thread.sleep(300); // longer than the 10-200 ms a polling waiter would pause
        assertThat(store.tryLocks).as("holder's and waiter's first TryLock only: no polling").hasValue(2);

        long releasedAt = System.nanoTime();
        holder.release();
        long wokeAfterNanos = acquiredAt.get(5, TimeUnit.SECONDS) - releasedAt;

        assertThat(store.tryLocks).as("exactly one TryLock after the release").hasValue(3);
        assertThat(store.awaits).hasValue(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(wokeAfterNanos)).as("acquired ms after the release, not after "
                + "a poll interval").isLessThan(50);
    }

    @Test
    void aStoreThatCannotSignalReleasesIsTriedAgainWithBackoff() throws Exception {
        TestStores.Counting store = new TestStores.Counting(new InMemoryLockStore());
        LockTemplate locks = template(store);
        LockHandle holder = locks.acquire("order:2", LockOptions.tryOnce());
        Future<String> waiter = waiters.submit(() -> locks.executeLocked("order:2", WAIT_10S,
                lock -> lock.resourceId()));
        Thread.sleep(400);
        int triesWhileHeld = store.tryLocks.get() - 1;
        // 10 ms doubling to 200 ms, halved by jitter at most: 5 to 7 tries in 400 ms, fewer on a busy machine.
        assertThat(triesWhileHeld).isBetween(2, 8);
        holder.release();
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("order:2");
    }

    @Test
    void anInterruptWhileWaitingOnReleaseEndsTheWaitAndKeepsTheFlag() throws Exception {
        assertInterruptEndsTheWait(new TestStores.CountingAwaiting(new InMemoryLockStore()));
    }

    @Test
    void anInterruptWhileBackingOffEndsTheWaitAndKeepsTheFlag() throws Exception {
        assertInterruptEndsTheWait(new TestStores.Counting(new InMemoryLockStore()));
    }

    private void assertInterruptEndsTheWait(LockStore store) throws Exception {
        LockTemplate locks = template(store);
        LockHandle holder = locks.acquire("order:3", LockOptions.tryOnce());
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        CompletableFuture<Boolean> interruptFlag = new CompletableFuture<>();
        Future<Throwable> outcome = waiters.submit(() -> {
            waiterThread.set(Thread.currentThread());
            try {
                locks.executeLocked("order:3", WAIT_10S, lock -> "ran");
                return null;
            } catch (Throwable e) {
                interruptFlag.complete(Thread.currentThread().isInterrupted());
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> waiterThread.get() != null
                && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
        long interruptedAt = System.nanoTime();
        waiterThread.get().interrupt();
        Throwable failure = outcome.get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt)).isLessThan(1_000);
        assertThat(failure).isInstanceOf(LockNotAcquiredException.class)
                .hasMessageContaining("interrupted while waiting").hasCauseInstanceOf(InterruptedException.class);
        assertThat(interruptFlag.get(1, TimeUnit.SECONDS)).as("interrupt flag restored").isTrue();
        assertThat(holder.isHeld()).isTrue();
        holder.close();
    }

    private static LockTemplate template(LockStore store) {
        return new LockTemplate(new DistributedLockClient(Map.of("main", store), "main", LockKeyNamespace.none()));
    }
}
