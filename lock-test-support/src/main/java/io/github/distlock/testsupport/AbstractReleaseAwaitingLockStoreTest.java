package io.github.distlock.testsupport;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the optional capability {@link ReleaseAwaitingLockStore}: {@code awaitRelease} returns at once for
 * a free key, wakes on an Unlock without waiting out its {@code maxWait}, returns when the holder's lease runs out,
 * returns after {@code maxWait} while the key stays held, and answers an interrupt with
 * {@link InterruptedException}.
 *
 * <p>A store with this capability adds one class to its tests, next to its {@link AbstractLockStoreContractTest}:
 * <pre>{@code
 * class MyReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {
 *     protected ReleaseAwaitingLockStore createStore() { return new MyLockStore(newClient(server)); }
 * }
 * }</pre>
 * {@link #wakeUpBound()} and {@link #expiryGrace()} may be widened for a store whose notifications travel further.
 */
public abstract class AbstractReleaseAwaitingLockStoreTest extends AbstractLockStoreTest<ReleaseAwaitingLockStore> {

    /** What a waiter is given to wait when the test expects it to return for another reason. */
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    /**
     * How soon after an Unlock is sent a waiter must have returned: 1 s by default, far below the 30 s the waiter
     * was given, so it returned for the release and not for its time. (A loaded 2-core machine has taken 300 ms for
     * one round trip to etcd and a thread's wake-up; how fast the wake-up usually is belongs in a benchmark.)
     */
    protected Duration wakeUpBound() {
        return Duration.ofSeconds(1);
    }

    @Test
    void awaitingAFreeKeyReturnsAtOnce() throws Exception {
        long start = System.nanoTime();
        store().awaitRelease(uniqueKey("await-free"), LONG_WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    /** A store may keep something of an unlocked key (Redis keeps its last fencing token): it is free all the same. */
    @Test
    void awaitingAnUnlockedKeyReturnsAtOnce() throws Exception {
        String key = uniqueKey("await-unlocked");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        long start = System.nanoTime();
        store().awaitRelease(key, LONG_WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aWaiterWakesWhenTheLockIsReleased() throws Exception {
        String key = uniqueKey("await-unlock");
        String holder = newOwner();
        Waiter waiter = holdAndWait(key, holder);
        long unlockSent = System.nanoTime();
        assertThat(store().unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
        assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).as("released: the waiter wakes long before its %s",
                LONG_WAIT).isTrue();
        waiter.assertNoFailure();
        assertThat(Duration.ofNanos(waiter.returnedAt.get() - unlockSent)).as("from the Unlock to the waiter's return")
                .isLessThanOrEqualTo(wakeUpBound());
    }

    @Test
    void aWaiterReturnsWhenTheHoldersLeaseRunsOut() throws Exception {
        String key = uniqueKey("await-expiry");
        long start = System.nanoTime();
        assertThat(store().tryLock(key, newOwner(), SHORT_EXPIRE)).isTrue();
        store().awaitRelease(key, LONG_WAIT);
        assertAtEndOfShortLease(Duration.ofNanos(System.nanoTime() - start),
                "the waiter of a holder that never unlocked returned");
    }

    @Test
    void aWaiterReturnsAfterItsMaxWaitWhileTheKeyStaysHeld() throws Exception {
        String key = uniqueKey("await-max-wait");
        String holder = newOwner();
        assertThat(store().tryLock(key, holder, LONG_EXPIRE)).isTrue();
        Duration maxWait = Duration.ofMillis(500);
        long start = System.nanoTime();
        store().awaitRelease(key, maxWait);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time awaited, maxWait %s", maxWait)
                .isGreaterThanOrEqualTo(maxWait.minusMillis(10))
                .isLessThanOrEqualTo(maxWait.plusSeconds(1));
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("still held").isFalse();
        assertThat(store().unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void anInterruptedWaiterGetsInterruptedException() throws Exception {
        String key = uniqueKey("await-interrupt");
        String holder = newOwner();
        Waiter waiter = holdAndWait(key, holder);
        waiter.thread().interrupt();
        assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).as("the interrupted waiter returned").isTrue();
        assertThat(waiter.failure.get()).isInstanceOf(InterruptedException.class);
        assertThat(store().unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
    }

    /** Locks {@code key} for {@code holder} and starts a waiter on it, which must still wait 200 ms later. */
    private Waiter holdAndWait(String key, String holder) throws InterruptedException {
        assertThat(store().tryLock(key, holder, LONG_EXPIRE)).isTrue();
        Waiter waiter = Waiter.start(store(), key, LONG_WAIT);
        assertThat(waiter.returned.await(200, TimeUnit.MILLISECONDS)).as("still held: the waiter waits").isFalse();
        return waiter;
    }

    /** A thread blocked in {@code awaitRelease}: when it returned, and what it threw. For this suite's extensions. */
    protected static final class Waiter {
        /** Counted down when {@code awaitRelease} returned or threw. */
        public final CountDownLatch returned = new CountDownLatch(1);
        /** {@link System#nanoTime()} when it returned or threw. */
        public final AtomicLong returnedAt = new AtomicLong();
        /** What it threw, if anything. */
        public final AtomicReference<Throwable> failure = new AtomicReference<>();
        private Thread thread;

        private Waiter() {
        }

        /** Starts a daemon thread that calls {@code store.awaitRelease(key, maxWait)} once. */
        public static Waiter start(ReleaseAwaitingLockStore store, String key, Duration maxWait) {
            Waiter waiter = new Waiter();
            waiter.thread = new Thread(() -> {
                try {
                    store.awaitRelease(key, maxWait);
                } catch (Throwable e) {
                    waiter.failure.set(e);
                } finally {
                    waiter.returnedAt.set(System.nanoTime());
                    waiter.returned.countDown();
                }
            }, "await-release-" + key);
            waiter.thread.setDaemon(true);
            waiter.thread.start();
            return waiter;
        }

        /** The waiting thread, to interrupt it. */
        public Thread thread() {
            return thread;
        }

        public void assertNoFailure() {
            assertThat(failure.get()).as("awaitRelease threw").isNull();
        }
    }
}
