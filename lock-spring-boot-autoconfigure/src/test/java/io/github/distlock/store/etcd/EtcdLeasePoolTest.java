package io.github.distlock.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease pool ({@link EtcdLeasePool}) on a real etcd: a lease freed by this store's Unlock or by a refused TryLock
 * carries the next lock of the same length, renewed to its full TTL; any other lease is never reused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdLeasePoolTest {

    /** An idle lease is taken only with more than this plus 1 s left. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private EtcdTestServer server;
    private Client inspector;
    private EtcdLockStore store;

    @BeforeAll
    void startServer() {
        server = EtcdTestServer.start();
        inspector = EtcdTestStores.client(List.of(server.endpoint()), EtcdTestStores.REQUEST_TIMEOUT);
    }

    @BeforeEach
    void newStore() {
        store = EtcdTestStores.store(List.of(server.endpoint()), REQUEST_TIMEOUT);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @AfterAll
    void stopServer() {
        if (inspector != null) {
            inspector.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theNextLockReusesTheLeaseOfAnUnlockedOneRenewedToItsFullTtl() throws Exception {
        String first = key();
        String owner = owner();
        assertThat(store.tryLock(first, owner, 8)).isTrue();
        long lease = held(first).getLease();
        assertThat(store.unlock(first, owner)).isEqualTo(LockStatus.SUCCESS);
        Thread.sleep(2500); // the lease now has at most 5.5 s left, more than the 3 s needed to be reused

        String second = key();
        assertThat(store.tryLock(second, owner(), 8)).isTrue();
        assertThat(held(second).getLease()).as("the second lock's lease").isEqualTo(lease);
        assertThat(ttl(lease)).as("seconds left on the reused lease, renewed with the TryLock").isGreaterThanOrEqualTo(7);
    }

    @Test
    void aRefusedTryLockKeepsItsLeaseForTheNextLock() throws Exception {
        String key = key();
        String holder = owner();
        assertThat(store.tryLock(key, holder, 30)).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(store.tryLock(key, owner(), 30)).isFalse();
        }
        assertThat(store.idleLeases()).as("one lease served all 20 refusals").isOne();
        String other = key();
        assertThat(store.tryLock(other, owner(), 30)).isTrue();
        assertThat(store.idleLeases()).isZero();
        assertThat(held(other).getLease()).isNotEqualTo(held(key).getLease());
    }

    @Test
    void aLeaseWhoseKeyWasUnlockedThroughAnotherInstanceIsRevokedNotReused() throws Exception {
        String key = key();
        String owner = owner();
        assertThat(store.tryLock(key, owner, 30)).isTrue();
        long lease = held(key).getLease();
        try (EtcdLockStore peer = EtcdTestStores.store(List.of(server.endpoint()), REQUEST_TIMEOUT)) {
            assertThat(peer.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
            assertThat(peer.awaitPendingRevokes(Duration.ofSeconds(10))).isTrue();
            assertThat(peer.idleLeases()).as("the peer did not grant it: nothing to keep").isZero();
        }
        assertThat(ttl(lease)).as("the lease was revoked by the instance that deleted its key").isNegative();
        String next = key();
        assertThat(store.tryLock(next, owner(), 30)).isTrue();
        assertThat(held(next).getLease()).isNotEqualTo(lease);
    }

    @Test
    void anIdleLeaseWithTooLittleLeftIsNotUsed() throws Exception {
        String first = key();
        String owner = owner();
        assertThat(store.tryLock(first, owner, 4)).isTrue();
        long lease = held(first).getLease();
        assertThat(store.unlock(first, owner)).isEqualTo(LockStatus.SUCCESS);
        Thread.sleep(1500); // at most 2.5 s left, under the 3 s needed

        String second = key();
        assertThat(store.tryLock(second, owner(), 4)).isTrue();
        assertThat(held(second).getLease()).isNotEqualTo(lease);
        assertThat(ttl(held(second).getLease())).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anIdleLeaseRevokedBehindTheStoresBackIsReplacedByANewGrant() throws Exception {
        String first = key();
        String owner = owner();
        assertThat(store.tryLock(first, owner, 30)).isTrue();
        long lease = held(first).getLease();
        assertThat(store.unlock(first, owner)).isEqualTo(LockStatus.SUCCESS);
        inspector.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);

        String second = key();
        assertThat(store.tryLock(second, owner(), 30)).as("TryLock after its idle lease was revoked").isTrue();
        long newLease = held(second).getLease();
        assertThat(newLease).isNotEqualTo(lease);
        assertThat(ttl(newLease)).isGreaterThanOrEqualTo(29);
    }

    @Test
    void aHandOverKeepsTheHoldersLeaseForTheNextLock() throws Exception {
        String key = key();
        String holder = owner();
        assertThat(store.tryLock(key, holder, 30)).isTrue();
        long holdersLease = held(key).getLease();
        String next = owner();
        assertThat(store.handOver(key, holder, next, 30)).isPositive();
        assertThat(held(key).getLease()).as("the next owner's lease").isNotEqualTo(holdersLease);
        assertThat(store.idleLeases()).as("the holder's lease, now without a key").isOne();

        String other = key();
        assertThat(store.tryLock(other, owner(), 30)).isTrue();
        assertThat(held(other).getLease()).isEqualTo(holdersLease);
        assertThat(ttl(holdersLease)).isGreaterThanOrEqualTo(29);
    }

    @Test
    void aLockTooShortForThePoolGetsItsOwnLeaseRevokedAfterItsUnlock() throws Exception {
        String key = key();
        String owner = owner();
        assertThat(store.tryLock(key, owner, 3)).isTrue(); // 3 s: never more than the 3 s a reused lease needs
        long lease = held(key).getLease();
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.idleLeases()).isZero();
        assertThat(store.awaitPendingRevokes(Duration.ofSeconds(10))).isTrue();
        assertThat(ttl(lease)).as("the short lock's lease after its Unlock").isNegative();
    }

    @Test
    void closeRevokesTheIdleLeases() throws Exception {
        String key = key();
        String owner = owner();
        assertThat(store.tryLock(key, owner, 30)).isTrue();
        long lease = held(key).getLease();
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.idleLeases()).isOne();

        store.close();
        assertThat(ttl(lease)).as("the idle lease after close").isNegative();
    }

    private KeyValue held(String key) throws Exception {
        List<KeyValue> kvs = inspector.getKVClient()
                .get(ByteSequence.from(store.namespace() + key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS)
                .getKvs();
        assertThat(kvs).as("key %s in etcd", key).hasSize(1);
        return kvs.get(0);
    }

    /** Seconds left on the lease as etcd has it; -1 when it does not exist. */
    private long ttl(long lease) throws Exception {
        return inspector.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
    }

    private static String key() {
        return "pool-test-" + UUID.randomUUID();
    }

    private static String owner() {
        return UUID.randomUUID().toString();
    }
}
