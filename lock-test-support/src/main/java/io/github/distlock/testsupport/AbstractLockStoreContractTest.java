package io.github.distlock.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link LockStore} passes: a store is done when a subclass of this class is green against a real
 * server. The rules it checks are those in {@link LockStore}'s javadoc.
 *
 * <p>A store proves itself with one class in its tests ({@code lock-test-support} in test scope):
 * <pre>{@code
 * class MyLockStoreContractTest extends AbstractLockStoreContractTest {
 *     protected LockStore createStore()     { return new MyLockStore(newClient(server)); }
 *     protected LockStore createPeerStore() { return new MyLockStore(newClient(server)); } // same server
 * }
 * }</pre>
 * {@link #createStore()} builds the store under test; {@link #createPeerStore()} a second instance of it on the same
 * server, as a second instance of the application would have, for the tests of Unlock and LockKeepAlive through
 * another instance (the owner holds the lock, not the instance that took it). Both are built once per class (store
 * first, then peer) and closed after the last test when they are {@link AutoCloseable}. {@link #expiryGrace()} may
 * be widened for a store whose leases end later than their time. Keys start with {@code contract-}.
 *
 * <p>A store that also implements an optional capability proves it with one more class per capability:
 * {@link AbstractReleaseAwaitingLockStoreTest}, {@link AbstractFencedLockStoreTest}. The server fixtures of this
 * package ({@link RedisTestServer}, {@link EtcdTestServer}, {@link ZooKeeperTestServer}, ...) start real servers
 * on loopback; without one a test is skipped on a developer machine and fails under {@code CI=true}
 * ({@link TestServers#unavailable}).
 */
public abstract class AbstractLockStoreContractTest extends AbstractLockStoreTest<LockStore> {

    /** Required here: the contract's tests of Unlock and LockKeepAlive through another instance use it. */
    @Override
    protected abstract LockStore createPeerStore() throws Exception;

    @Test
    void tryLockTakesAFreeKey() {
        assertThat(store().tryLock(uniqueKey("free"), newOwner(), LONG_EXPIRE)).isTrue();
    }

    @Test
    void aHeldKeyIsRefusedToAnotherOwner() {
        String key = uniqueKey("held");
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).isTrue();
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).isFalse();
    }

    @Test
    void locksAreNotReentrant() {
        String key = uniqueKey("reentrant");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isFalse();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void unlockByTheOwnerSucceedsAndFreesTheKey() {
        String key = uniqueKey("unlock");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        String next = newOwner();
        assertThat(store().tryLock(key, next, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void unlockOfAKeyNobodyHoldsIsLockUnexist() {
        assertThat(store().unlock(uniqueKey("never"), newOwner())).isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @Test
    void unlockTwiceIsLockUnexistTheSecondTime() {
        String key = uniqueKey("twice");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @Test
    void unlockByAnotherOwnerIsRefusedAndLeavesTheLockInPlace() {
        String key = uniqueKey("others");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(key, newOwner())).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("still held by the first owner").isFalse();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void anExpiredLockGoesToANewOwnerNotBeforeItsLeaseAndWithinTheGrace() throws Exception {
        String key = uniqueKey("expiry");
        long start = System.nanoTime();
        assertThat(store().tryLock(key, newOwner(), SHORT_EXPIRE)).isTrue();
        long acquiredAfter = pollUntilAcquired(key, newOwner(), SHORT_EXPIRE, Duration.ofSeconds(SHORT_EXPIRE)
                .plus(expiryGrace()).plusSeconds(2)) - start;
        assertAtEndOfShortLease(Duration.ofNanos(acquiredAfter), "a new owner got the lock");
    }

    @Test
    void unlockAfterTheLeaseExpiredAndAnotherOwnerTookItIsRefused() throws Exception {
        String key = uniqueKey("takeover");
        String stale = newOwner();
        String next = newOwner();
        assertThat(store().tryLock(key, stale, SHORT_EXPIRE)).isTrue();
        pollUntilAcquired(key, next, LONG_EXPIRE, Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()).plusSeconds(2));
        assertThat(store().unlock(key, stale)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().keepAlive(key, stale, LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("the new owner still holds it").isFalse();
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void unlockAfterTheLeaseExpiredWithoutATakeoverIsLockUnexist() throws Exception {
        String key = uniqueKey("lapsed");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, SHORT_EXPIRE)).isTrue();
        sleepPastExpiry(SHORT_EXPIRE);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_UNEXIST);
        assertThat(store().keepAlive(key, owner, LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @Test
    void keepAliveExtendsTheLeaseOfTheHolder() throws Exception {
        String key = uniqueKey("keepalive");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, SHORT_EXPIRE)).isTrue();
        Thread.sleep(1000);
        assertThat(store().keepAlive(key, owner, SHORT_EXPIRE + 4)).isEqualTo(LockStatus.SUCCESS);
        sleepPastExpiry(SHORT_EXPIRE - 1);
        // Past the first lease (and its grace), well within the renewed one.
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("renewed lease still holds").isFalse();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveByAnotherOwnerIsRefused() {
        String key = uniqueKey("keepalive-others");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(store().keepAlive(key, newOwner(), LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveOfAKeyNobodyHoldsIsLockUnexist() {
        assertThat(store().keepAlive(uniqueKey("keepalive-none"), newOwner(), LONG_EXPIRE))
                .isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @Test
    void unlockThroughAPeerInstanceByTheOwnerFreesTheKey() {
        String key = uniqueKey("peer-unlock");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(peerStore().unlock(key, owner)).as("unlock through the peer").isEqualTo(LockStatus.SUCCESS);
        assertThat(peerStore().unlock(key, owner)).as("a second unlock through the peer").isEqualTo(LockStatus.LOCK_UNEXIST);
        assertThat(store().keepAlive(key, owner, LONG_EXPIRE)).as("keepAlive through the instance that took it")
                .isEqualTo(LockStatus.LOCK_UNEXIST);
        String next = newOwner();
        assertThat(store().tryLock(key, next, LONG_EXPIRE)).as("free in the instance that took it").isTrue();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(peerStore().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveThroughAPeerInstanceExtendsTheLease() throws Exception {
        String key = uniqueKey("peer-keepalive");
        String owner = newOwner();
        long start = System.nanoTime();
        assertThat(store().tryLock(key, owner, SHORT_EXPIRE)).isTrue();
        assertThat(peerStore().keepAlive(key, owner, SHORT_EXPIRE + 4)).as("keepAlive through the peer")
                .isEqualTo(LockStatus.SUCCESS);
        sleepUntil(start + Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()).plusMillis(100).toNanos());
        // Past the first lease (and its grace), well within the renewed one, in both instances.
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("renewed lease, seen by the instance that took it")
                .isFalse();
        assertThat(peerStore().tryLock(key, newOwner(), LONG_EXPIRE)).as("renewed lease, seen by the peer").isFalse();
        assertThat(store().keepAlive(key, owner, LONG_EXPIRE)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(key, owner)).as("unlock through the instance that took it")
                .isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aPeerInstanceRefusesAnotherOwnerAndChangesNothing() throws Exception {
        String key = uniqueKey("peer-others");
        long start = System.nanoTime();
        assertThat(store().tryLock(key, newOwner(), SHORT_EXPIRE)).isTrue();
        String other = newOwner();
        assertThat(peerStore().unlock(key, other)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(peerStore().keepAlive(key, other, LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(peerStore().tryLock(key, other, LONG_EXPIRE)).as("still held, seen by the peer").isFalse();
        assertThat(store().tryLock(key, other, LONG_EXPIRE)).as("still held, seen by the instance that took it")
                .isFalse();
        // The refused keepAlive left the lease as it was: it ends on time.
        String next = newOwner();
        long acquiredAfter = pollUntilAcquired(key, next, LONG_EXPIRE, Duration.ofSeconds(SHORT_EXPIRE)
                .plus(expiryGrace()).plusSeconds(2)) - start;
        assertAtEndOfShortLease(Duration.ofNanos(acquiredAfter), "a new owner got the lock");
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keysWithUnusualCharactersAreDistinctAndWork() {
        String base = uniqueKey("chars");
        List<String> keys = List.of(base + "/a/b", base + "/a%2Fb", base + "/a_b", base + "/a:b", base + "/a|||b",
                base + "/../up", base + "/./dot", base + "/", base + "//", base + " spaced out ",
                base + "/ünïcødé-锁-🔒", base + "/*?[]{}()^$\\", base + "/line\nbreak", base + "/tab\tx",
                base + "/%00%zz", base + "/" + "x".repeat(900));
        Map<String, String> owners = new ConcurrentHashMap<>();
        for (String key : keys) {
            String owner = newOwner();
            assertThat(store().tryLock(key, owner, LONG_EXPIRE)).as("first lock of %s", key).isTrue();
            owners.put(key, owner);
        }
        for (String key : keys) {
            assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).as("second owner of %s", key).isFalse();
            assertThat(store().keepAlive(key, owners.get(key), LONG_EXPIRE)).isEqualTo(LockStatus.SUCCESS);
        }
        for (String key : keys) {
            assertThat(store().unlock(key, owners.get(key))).as("unlock of %s", key).isEqualTo(LockStatus.SUCCESS);
            assertThat(store().unlock(key, owners.get(key))).isEqualTo(LockStatus.LOCK_UNEXIST);
        }
    }

    @Test
    void concurrentOwnersNeverOverlapOnAKey() throws Exception {
        int threads = 8;
        String[] keys = {uniqueKey("fuzz-0"), uniqueKey("fuzz-1"), uniqueKey("fuzz-2")};
        Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        for (String key : keys) {
            inside.put(key, new AtomicInteger());
        }
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger badUnlocks = new AtomicInteger();
        AtomicLong grants = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    // Bounded in count and in time.
                    for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
                        String key = keys[ThreadLocalRandom.current().nextInt(keys.length)];
                        String owner = newOwner();
                        if (!store().tryLock(key, owner, LONG_EXPIRE)) {
                            refusals.incrementAndGet();
                            continue;
                        }
                        grants.incrementAndGet();
                        if (inside.get(key).incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.yield();
                        inside.get(key).decrementAndGet();
                        if (store().unlock(key, owner) != LockStatus.SUCCESS) {
                            badUnlocks.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps).as("two owners inside one key at once").hasValue(0);
        assertThat(badUnlocks).as("unlocks of a held lock that did not succeed").hasValue(0);
        assertThat(grants.get()).as("grants").isGreaterThan(threads);
        assertThat(refusals.get()).as("refusals (there must have been contention)").isGreaterThan(0);
    }
}
