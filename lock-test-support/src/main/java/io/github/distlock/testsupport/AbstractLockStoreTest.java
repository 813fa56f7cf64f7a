package io.github.distlock.testsupport;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.github.distlock.spi.LockStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the store suites share: one store per test class, built by {@link #createStore()} before the first test and
 * closed after the last (when it is {@link AutoCloseable}), and the same for a {@linkplain #createPeerStore() peer}
 * when the suite uses one; fresh keys and owners for every test, and waits bounded in time. Extend one of the suites,
 * not this class: {@link AbstractLockStoreContractTest}, {@link AbstractReleaseAwaitingLockStoreTest},
 * {@link AbstractFencedLockStoreTest}, {@link AbstractHandOverLockStoreTest}, {@link AbstractLockLossReportingTest}.
 *
 * @param <S> the store interface the suite tests
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AbstractLockStoreTest<S extends LockStore> {

    /** Lease, in seconds, of the expiry tests; long enough for every store's minimum lease (etcd's is 2 s). */
    protected static final int SHORT_EXPIRE = 2;
    /** Lease, in seconds, of tests that must not see an expiry. */
    protected static final int LONG_EXPIRE = 60;

    private S store;
    private LockStore peer;

    /**
     * Builds the store under test, connected to a real server; called once per test class, before any test. Every
     * test uses keys of its own (starting with {@code contract-}), so one store serves all tests of the class.
     */
    protected abstract S createStore() throws Exception;

    /**
     * Builds a second store on the same server as {@link #createStore()}'s, through a connection (client, session)
     * of its own, as another instance of the application would; called once per class, after {@link #createStore()}.
     * Null, the default, for a suite that uses none. Return {@link #store()} itself only for a store whose locks live
     * in the instance (the in-memory store), where no other instance shares them.
     */
    protected LockStore createPeerStore() throws Exception {
        return null;
    }

    /**
     * How late after its lease an expired lock may still be refused to a new owner (or still wake no waiter). One
     * second by default; a store with a coarser clock may widen it.
     */
    protected Duration expiryGrace() {
        return Duration.ofSeconds(1);
    }

    @BeforeAll
    void createStoreOnce() throws Exception {
        store = createStore();
        peer = createPeerStore();
    }

    @AfterAll
    void closeStore() throws Exception {
        if (peer != store && peer instanceof AutoCloseable closeable) {
            closeable.close();
        }
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The store that {@link #createStore()} built. */
    protected S store() {
        return store;
    }

    /** The store that {@link #createPeerStore()} built; null when the suite uses none. */
    protected LockStore peerStore() {
        return peer;
    }

    /** A key no other test uses: {@code contract-<name>-<random UUID>}. */
    protected static String uniqueKey(String name) {
        return "contract-" + name + "-" + UUID.randomUUID();
    }

    /** A new owner, a random UUID, as the Lock API's callers make one per call. */
    protected static String newOwner() {
        return UUID.randomUUID().toString();
    }

    /** Tries every 50 ms until {@code owner} gets {@code key}; returns the {@link System#nanoTime()} of the grant. */
    protected long pollUntilAcquired(String key, String owner, int expire, Duration timeout)
            throws InterruptedException {
        return pollUntil(() -> store.tryLock(key, owner, expire), timeout, "'" + key + "' acquired");
    }

    /**
     * Asks {@code attempt} every 50 ms until it answers true; returns the {@link System#nanoTime()} of that answer.
     *
     * @throws AssertionError when {@code timeout} passes first; its message names {@code what} was awaited
     */
    protected static long pollUntil(BooleanSupplier attempt, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (attempt.getAsBoolean()) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
    }

    /**
     * Asserts that {@code sinceLocked}, the time from just before a lock of {@link #SHORT_EXPIRE} seconds was taken
     * to an event its end allowed, lies between the lease (less 50 ms, for clocks) and the lease plus
     * {@link #expiryGrace()}.
     */
    protected void assertAtEndOfShortLease(Duration sinceLocked, String event) {
        assertThat(sinceLocked).as("%s after a %ss lease", event, SHORT_EXPIRE)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(SHORT_EXPIRE).minusMillis(50))
                .isLessThanOrEqualTo(Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()));
    }

    /** Sleeps until a lease of {@code seconds} taken now has surely expired, grace included. */
    protected void sleepPastExpiry(int seconds) throws InterruptedException {
        Thread.sleep(Duration.ofSeconds(seconds).plus(expiryGrace()).toMillis() + 100);
    }

    /** Sleeps until {@link System#nanoTime()} reaches {@code nanoTime}; returns at once if it has. */
    protected static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
