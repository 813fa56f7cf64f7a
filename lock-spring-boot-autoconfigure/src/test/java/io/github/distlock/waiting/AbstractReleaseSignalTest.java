package io.github.distlock.waiting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability's contract, and how a store's release signal behaves beyond it, on a real server: a waiter wakes
 * within milliseconds of an Unlock through the signal, not by polling (counted: TryLocks and watches armed); it
 * acquires at the end of the lease of a holder that never unlocks; it still acquires within its wait time when the
 * signal is lost; waiters of one key share one registration; an interrupt or a timeout leaves none behind, in this
 * JVM or on the server.
 *
 * <p>Waiters run what {@code @DistributedLock(waitTime = ...)} runs: TryLock, and while refused, {@code awaitRelease}
 * for the time left and TryLock again. The holder is the {@linkplain #createPeerStore() peer store}, with a connection
 * of its own, as another instance of the application would be.
 */
public abstract class AbstractReleaseSignalTest extends AbstractReleaseAwaitingLockStoreTest {

    /** Well under the 200 ms the old backoff reached, well over a wake-up on a busy machine. */
    protected static final Duration WAKE_UP_BOUND = Duration.ofMillis(50);
    private static final Duration WAIT_TIME = Duration.ofSeconds(20);
    private static final int ROUNDS = 5;

    /** Required: the peer holds the locks the waiters wait for. */
    @Override
    protected abstract LockStore createPeerStore() throws Exception;

    /** The waiters and watches of {@link #store()}. */
    protected abstract ReleaseWaiters waiters();

    /** Breaks the store's release signal from outside, as a network or server fault would. */
    protected abstract void loseSignal() throws Exception;

    /**
     * Asserts what the server holds for waiters of {@code key} when {@code watching} waiters' watches are set (a
     * server watch, a subscription), waiting a little for asynchronous removals.
     */
    protected abstract void assertServerRegistrations(String key, boolean watching) throws Exception;

    @Test
    void aWaiterWakesWithinMillisecondsOfAnUnlockWithoutPolling() throws Exception {
        acquireAfterUnlock(uniqueKey("warm-up")); // the first wait of a store may set its signal up
        List<Long> millis = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long armsBefore = waiters().armCount();
            Acquirer acquirer = acquireAfterUnlock(uniqueKey("wake-up"));
            millis.add(TimeUnit.NANOSECONDS.toMillis(acquirer.wokenAfterUnlock));
            assertThat(acquirer.tryLocks.get()).as("TryLocks: refused once, granted after the wake-up").isEqualTo(2);
            assertThat(waiters().armCount() - armsBefore).as("watches armed: one, no polling").isEqualTo(1);
        }
        millis.sort(null);
        assertThat(millis.get(ROUNDS / 2)).as("median ms from the Unlock's answer to the waiter's wake-up, of %s",
                millis).isLessThan(WAKE_UP_BOUND.toMillis());
        assertThat(millis.get(ROUNDS - 1)).as("slowest ms from the Unlock's answer to the wake-up, of %s", millis)
                .isLessThan(200);
    }

    @Test
    void aWaiterAcquiresAtTheLeaseEndOfAHolderThatNeverUnlocks() throws Exception {
        String key = uniqueKey("never-unlocked");
        long start = System.nanoTime();
        assertThat(peerStore().tryLock(key, newOwner(), SHORT_EXPIRE)).isTrue();
        assertAcquiredWithoutPollingAt(key, start, Duration.ofSeconds(SHORT_EXPIRE));
    }

    @Test
    void aWaiterWhoseSignalIsLostStillAcquiresWithinItsWaitTime() throws Exception {
        String key = uniqueKey("signal-lost");
        String holderOwner = heldByPeer(key);
        Acquirer acquirer = Acquirer.start(store(), key, WAIT_TIME);
        awaitWaiting(1);
        loseSignal();
        Thread.sleep(300);
        assertThat(acquirer.done.getCount()).as("still held: still waiting").isEqualTo(1);
        long unlocked = System.nanoTime();
        assertThat(peerStore().unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
        acquirer.awaitDone();
        assertThat(Duration.ofNanos(acquirer.acquiredAt - unlocked)).as("from the Unlock to the grant")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(store().unlock(key, acquirer.owner)).isEqualTo(LockStatus.SUCCESS);
        assertNothingRegistered(key);
        // And the signal works again: the next waiter is woken by it.
        Acquirer next = acquireAfterUnlock(uniqueKey("signal-back"));
        assertThat(Duration.ofNanos(next.wokenAfterUnlock)).as("after the signal came back, Unlock to wake-up")
                .isLessThan(Duration.ofMillis(200));
    }

    @Test
    void waitersOfOneKeyShareOneRegistration() throws Exception {
        String key = uniqueKey("shared");
        String holderOwner = heldByPeer(key);
        long armsBefore = waiters().armCount();
        List<Waiter> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(Waiter.start(store(), key, WAIT_TIME));
        }
        awaitWaiting(4);
        assertThat(waiters().watchCount()).as("watches for 4 waiters of one key").isEqualTo(1);
        assertThat(waiters().armCount() - armsBefore).as("watches armed").isEqualTo(1);
        assertServerRegistrations(key, true);
        long unlocked = System.nanoTime();
        assertThat(peerStore().unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
        for (Waiter waiter : waiting) {
            assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).as("every waiter woke").isTrue();
            waiter.assertNoFailure();
            assertThat(Duration.ofNanos(waiter.returnedAt.get() - unlocked)).isLessThan(Duration.ofMillis(200));
        }
        assertNothingRegistered(key);
    }

    @Test
    void anInterruptedWaiterLeavesNothingRegistered() throws Exception {
        String key = uniqueKey("interrupted");
        String holderOwner = heldByPeer(key);
        Waiter waiter = Waiter.start(store(), key, WAIT_TIME);
        awaitWaiting(1);
        assertServerRegistrations(key, true);
        long interrupted = System.nanoTime();
        waiter.thread().interrupt();
        assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(waiter.failure.get()).isInstanceOf(InterruptedException.class);
        assertThat(Duration.ofNanos(waiter.returnedAt.get() - interrupted)).as("from the interrupt to the exception")
                .isLessThan(Duration.ofMillis(100));
        assertNothingRegistered(key);
        assertThat(peerStore().unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aWaitThatTimesOutLeavesNothingRegistered() throws Exception {
        String key = uniqueKey("timed-out");
        String holderOwner = heldByPeer(key);
        Duration maxWait = Duration.ofMillis(400);
        long start = System.nanoTime();
        store().awaitRelease(key, maxWait);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(maxWait.minusMillis(10),
                maxWait.plusMillis(300));
        assertNothingRegistered(key);
        assertThat(peerStore().unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
    }

    /**
     * Holds {@code key} in the holder store, starts a waiter, unlocks once it waits; returns the waiter, done, with
     * the time from the Unlock's answer to its wake-up.
     */
    private Acquirer acquireAfterUnlock(String key) throws Exception {
        String holderOwner = heldByPeer(key);
        Acquirer acquirer = Acquirer.start(store(), key, WAIT_TIME);
        awaitWaiting(1);
        Thread.sleep(100); // a polling waiter would show by now, in the counts
        assertThat(acquirer.done.getCount()).as("still held: still waiting").isEqualTo(1);
        assertThat(peerStore().unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
        long unlocked = System.nanoTime();
        acquirer.awaitDone();
        // The waiter may wake before the Unlock's answer reaches the holder; the server's write time is not counted.
        acquirer.wokenAfterUnlock = Math.max(0, acquirer.wokenAt - unlocked);
        assertThat(store().unlock(key, acquirer.owner)).isEqualTo(LockStatus.SUCCESS);
        return acquirer;
    }

    /**
     * Runs a waiter on {@code key} until it acquires, as {@code @DistributedLock(waitTime)} does, and asserts that it
     * did {@code expected} after {@code since} (from 50 ms before to {@link #expiryGrace()} after) with one spurious
     * wake-up at most: no polling. Then unlocks.
     */
    protected void assertAcquiredWithoutPollingAt(String key, long since, Duration expected)
            throws InterruptedException {
        long armsBefore = waiters().armCount();
        Acquirer acquirer = Acquirer.start(store(), key, WAIT_TIME);
        acquirer.awaitDone();
        assertThat(Duration.ofNanos(acquirer.acquiredAt - since)).as("until the waiter acquired")
                .isBetween(expected.minusMillis(50), expected.plus(expiryGrace()));
        assertThat(acquirer.tryLocks.get()).as("TryLocks (no polling)").isLessThanOrEqualTo(3);
        assertThat(waiters().armCount() - armsBefore).as("watches armed (no polling)").isLessThanOrEqualTo(2);
        assertThat(store().unlock(key, acquirer.owner)).isEqualTo(LockStatus.SUCCESS);
    }

    /** Locks {@code key} in the peer store for a new owner, for {@link #LONG_EXPIRE}; returns the owner. */
    protected String heldByPeer(String key) {
        String owner = newOwner();
        assertThat(peerStore().tryLock(key, owner, LONG_EXPIRE)).as("'%s' locked by the peer", key).isTrue();
        return owner;
    }

    private void awaitWaiting(int count) throws InterruptedException {
        pollUntil(() -> waiters().waiterCount() == count, Duration.ofSeconds(5), count + " waiter(s) waiting");
    }

    private void assertNothingRegistered(String key) throws Exception {
        pollUntil(() -> waiters().waiterCount() == 0, Duration.ofSeconds(5), "no waiter left");
        assertThat(waiters().watchCount()).as("watches left in this JVM").isZero();
        assertServerRegistrations(key, false);
    }

    /** A thread acquiring a key the way {@code @DistributedLock(waitTime)} does, counting its TryLocks. */
    private static final class Acquirer {
        final String owner = newOwner();
        final AtomicInteger tryLocks = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean acquired;
        volatile long acquiredAt;
        volatile long wokenAt;
        long wokenAfterUnlock;

        static Acquirer start(ReleaseAwaitingLockStore store, String key, Duration waitTime) {
            Acquirer acquirer = new Acquirer();
            Thread thread = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + waitTime.toNanos();
                    while (true) {
                        acquirer.tryLocks.incrementAndGet();
                        if (store.tryLock(key, acquirer.owner, LONG_EXPIRE)) {
                            acquirer.acquiredAt = System.nanoTime();
                            acquirer.acquired = true;
                            return;
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return;
                        }
                        store.awaitRelease(key, Duration.ofNanos(left));
                        acquirer.wokenAt = System.nanoTime();
                    }
                } catch (Throwable e) {
                    acquirer.failure.set(e);
                } finally {
                    acquirer.done.countDown();
                }
            }, "acquirer-" + key);
            thread.setDaemon(true);
            thread.start();
            return acquirer;
        }

        void awaitDone() throws InterruptedException {
            assertThat(done.await(WAIT_TIME.toSeconds() + 5, TimeUnit.SECONDS)).as("the acquirer finished").isTrue();
            assertThat(failure.get()).as("the acquirer failed").isNull();
            assertThat(acquired).as("acquired within its wait time").isTrue();
        }
    }
}
