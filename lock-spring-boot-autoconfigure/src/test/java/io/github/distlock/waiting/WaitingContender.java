package io.github.distlock.waiting;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A contender on a thread of its own running what {@code @DistributedLock(waitTime = ...)} runs: TryLock, and while
 * refused, {@code awaitRelease} for the time left and TryLock again, until granted or the wait time is up. For tests
 * that break the server under a waiter (a restart): any exception is kept and fails {@link #awaitAcquired()}.
 */
public final class WaitingContender {

    /** The lease the contender asks for, in seconds. */
    public static final int EXPIRE_SECONDS = 60;

    private final String owner = UUID.randomUUID().toString();
    private final Duration waitTime;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long acquiredAt;
    private volatile boolean acquired;

    private WaitingContender(Duration waitTime) {
        this.waitTime = waitTime;
    }

    /** Starts contending for {@code key} through {@code store} for at most {@code waitTime}. */
    public static WaitingContender start(ReleaseAwaitingLockStore store, String key, Duration waitTime) {
        WaitingContender contender = new WaitingContender(waitTime);
        Thread thread = new Thread(() -> contender.run(store, key), "waiting-contender-" + key);
        thread.setDaemon(true);
        thread.start();
        return contender;
    }

    private void run(ReleaseAwaitingLockStore store, String key) {
        try {
            long deadline = System.nanoTime() + waitTime.toNanos();
            while (!store.tryLock(key, owner, EXPIRE_SECONDS)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                store.awaitRelease(key, Duration.ofNanos(left));
            }
            acquiredAt = System.nanoTime();
            acquired = true;
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            done.countDown();
        }
    }

    /** The owner it contends as (a random UUID). */
    public String owner() {
        return owner;
    }

    /** Whether it has stopped: granted, out of wait time, or failed. */
    public boolean isDone() {
        return done.getCount() == 0;
    }

    /**
     * Stops the server under this waiting contender, starts it again half a second later, and asserts that the
     * contender waited through the outage and was granted within 10 s of the server's return, well within its wait
     * time.
     */
    public void assertGrantedAcrossRestart(ServerStep stop, ServerStep start) throws Exception {
        stop.run();
        Thread.sleep(500);
        assertThat(isDone()).as("still waiting while the server is down").isFalse();
        start.run();
        long back = System.nanoTime();
        assertThat(Duration.ofNanos(awaitAcquired() - back)).as("from the restart to the grant (wait time %s)",
                waitTime).isLessThan(Duration.ofSeconds(10));
    }

    /**
     * Asserts that the store's release signal works: a contender for {@code key}, which {@code holder} locks, sets
     * one watch (or read, with a subscription) and is granted within a second of the holder's Unlock, without
     * polling; then unlocks.
     */
    public static void assertWokenByAnUnlockWithoutPolling(ReleaseAwaitingLockStore waiting, ReleaseWaiters waiters,
            LockStore holder, String key) throws InterruptedException {
        String holderOwner = UUID.randomUUID().toString();
        assertThat(holder.tryLock(key, holderOwner, EXPIRE_SECONDS)).isTrue();
        long armsBefore = waiters.armCount();
        WaitingContender contender = start(waiting, key, Duration.ofSeconds(20));
        Awaitility.await("one waiter").atMost(Duration.ofSeconds(5)).until(() -> waiters.waiterCount() == 1);
        Thread.sleep(300); // a polling waiter would read the key every 25-50 ms meanwhile
        long unlocked = System.nanoTime();
        assertThat(holder.unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(Duration.ofNanos(contender.awaitAcquired() - unlocked)).as("from the Unlock to the grant")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(waiters.armCount() - armsBefore).as("watches armed: one, no polling").isEqualTo(1);
        assertThat(waiting.unlock(key, contender.owner())).isEqualTo(LockStatus.SUCCESS);
    }

    /**
     * Waits for the contender to stop (its wait time and 5 s at most), asserts that no exception escaped and that it
     * was granted; returns when ({@link System#nanoTime()}).
     */
    public long awaitAcquired() throws InterruptedException {
        assertThat(done.await(waitTime.toSeconds() + 5, TimeUnit.SECONDS)).as("the contender stopped").isTrue();
        assertThat(failure.get()).as("an exception escaped the contender").isNull();
        assertThat(acquired).as("granted within its wait time of %s", waitTime).isTrue();
        return acquiredAt;
    }

    /** Stopping or starting a server. */
    @FunctionalInterface
    public interface ServerStep {
        void run() throws Exception;
    }
}
