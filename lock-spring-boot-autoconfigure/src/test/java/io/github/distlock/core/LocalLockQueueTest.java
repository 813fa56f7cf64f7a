package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The line of a lock's waiters in this JVM: turns, hand-over on release, and what leaves the line. */
@Timeout(60)
class LocalLockQueueTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    private final LocalLockQueue queue = new LocalLockQueue();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private Future<LocalLockQueue.Waiter> joinInThread(String key, int expireSeconds, long waitNanos,
            AtomicReference<Thread> thread) {
        Future<LocalLockQueue.Waiter> joined = threads.submit(() -> {
            thread.set(Thread.currentThread());
            return queue.join("store", key, expireSeconds, System.nanoTime() + waitNanos);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null
                && LockSupport.getBlocker(thread.get()) == queue);
        return joined;
    }

    @Test
    void theTurnPassesInArrivalOrderAndTheLineIsRemovedWhenEmpty() throws Exception {
        LocalLockQueue.Waiter first = queue.join("store", "k", 30, System.nanoTime() + LONG);
        assertThat(first).as("nobody in line: the turn at once").isNotNull();
        Future<LocalLockQueue.Waiter> second = joinInThread("k", 30, LONG, new AtomicReference<>());
        Future<LocalLockQueue.Waiter> third = joinInThread("k", 30, LONG, new AtomicReference<>());
        assertThat(queue.waiting("store", "k")).isEqualTo(2);
        assertThat(queue.join("store", "other", 30, System.nanoTime() + LONG)).as("another key, another line")
                .isNotNull();

        queue.pass(first);
        LocalLockQueue.Waiter secondTurn = second.get(10, TimeUnit.SECONDS);
        assertThat(third).isNotDone();
        queue.pass(secondTurn);
        queue.pass(third.get(10, TimeUnit.SECONDS));
        assertThat(queue.lineCount()).as("only the other key's line is left").isEqualTo(1);
    }

    @Test
    void aHolderKeepsTheTurnUntilItsOwnReleaseThenTheNextWaiterHasIt() throws Exception {
        LocalLockQueue.Waiter holder = queue.join("store", "k", 30, System.nanoTime() + LONG);
        queue.granted(holder, "owner-1", System.nanoTime());
        Future<LocalLockQueue.Waiter> next = joinInThread("k", 30, LONG, new AtomicReference<>());
        queue.released("store", "k", "someone-else");
        Thread.sleep(200);
        assertThat(next).as("another owner's release is not this holder's").isNotDone();
        queue.released("store", "k", "owner-1");
        queue.pass(next.get(10, TimeUnit.SECONDS));
        assertThat(queue.lineCount()).isZero();
    }

    @Test
    void aHolderThatIsNeverReleasedKeepsTheTurnOnlyUntilItsLeaseEnds() throws Exception {
        LocalLockQueue.Waiter holder = queue.join("store", "k", 1, System.nanoTime() + LONG);
        long grantedAt = System.nanoTime();
        queue.granted(holder, "leaked", grantedAt);
        Future<LocalLockQueue.Waiter> next = joinInThread("k", 30, LONG, new AtomicReference<>());
        LocalLockQueue.Waiter turn = next.get(20, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - grantedAt).as("not before the 1 s lease ended")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        queue.released("store", "k", "leaked");
        queue.pass(turn);
        assertThat(queue.lineCount()).isZero();
    }

    @Test
    void aWaiterWhoseTimeRunsOutOrIsInterruptedLeavesTheLine() throws Exception {
        LocalLockQueue.Waiter first = queue.join("store", "k", 30, System.nanoTime() + LONG);
        Future<LocalLockQueue.Waiter> timesOut = joinInThread("k", 30, TimeUnit.MILLISECONDS.toNanos(300),
                new AtomicReference<>());
        AtomicReference<Thread> interruptedThread = new AtomicReference<>();
        Future<LocalLockQueue.Waiter> interrupted = joinInThread("k", 30, LONG, interruptedThread);
        assertThat(timesOut.get(10, TimeUnit.SECONDS)).as("out of time in line").isNull();
        interruptedThread.get().interrupt();
        assertThatThrownBy(() -> interrupted.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(
                InterruptedException.class);
        assertThat(queue.waiting("store", "k")).isZero();
        queue.pass(first);
        assertThat(queue.lineCount()).as("no entry left behind").isZero();
    }

    private static boolean inLine(AtomicReference<Thread> thread) {
        return thread.get() != null && LockSupport.getBlocker(thread.get()) instanceof LocalLockQueue;
    }

    @Test
    void whenTheWaiterWhoseTurnItIsTimesOutOrIsInterruptedTheNextOneGetsTheLock() throws Exception {
        LockTemplate locks = new LockTemplate(new DistributedLockClient(
                Map.of("memory", new InMemoryLockStore()), "memory", LockKeyNamespace.of("line")));
        LockHandle holder = locks.acquire("k", LockOptions.tryOnce());
        AtomicReference<Thread> interruptedThread = new AtomicReference<>();
        Future<?> interrupted = threads.submit(() -> {
            interruptedThread.set(Thread.currentThread());
            return locks.acquire("k", LockOptions.waitFor(Duration.ofSeconds(30)));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> interruptedThread.get() != null
                && interruptedThread.get().getState() == Thread.State.TIMED_WAITING);
        AtomicReference<Thread> timesOutThread = new AtomicReference<>();
        Future<?> timesOut = threads.submit(() -> {
            timesOutThread.set(Thread.currentThread());
            return locks.acquire("k", LockOptions.waitFor(Duration.ofSeconds(2)));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> inLine(timesOutThread));
        AtomicReference<Thread> lastThread = new AtomicReference<>();
        Future<Long> last = threads.submit(() -> {
            lastThread.set(Thread.currentThread());
            try (LockHandle lock = locks.acquire("k", LockOptions.waitFor(Duration.ofSeconds(30)))) {
                return System.nanoTime();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> inLine(lastThread));
        interruptedThread.get().interrupt();
        assertThatThrownBy(() -> interrupted.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LockNotAcquiredException.class);
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LockNotAcquiredException.class);
        long releasedAt = System.nanoTime();
        holder.release();
        assertThat(last.get(10, TimeUnit.SECONDS)).as("the last waiter got the lock after the release")
                .isGreaterThan(releasedAt);
    }
}
