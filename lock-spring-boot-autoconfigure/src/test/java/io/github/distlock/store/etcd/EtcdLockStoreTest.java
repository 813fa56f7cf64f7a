package io.github.distlock.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * etcd-specific behaviour on a server of this class's own, so that its lease count is exact: leases never leak,
 * etcd's minimum TTL, keepAlive with another TTL, and failing fast when etcd cannot be reached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdLockStoreTest {

    private EtcdTestServer server;
    private EtcdLockStore store;
    /** A plain jetcd client, to look at keys and leases as etcd has them. */
    private Client inspector;

    @BeforeAll
    void startServer() {
        server = EtcdTestServer.start();
        store = EtcdTestStores.store(server.endpoint());
        inspector = EtcdTestStores.client(List.of(server.endpoint()), EtcdTestStores.REQUEST_TIMEOUT);
    }

    @AfterAll
    void stopServer() {
        if (store != null) {
            store.close();
            inspector.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noLeaseLeaksAfterTenThousandLockUnlockCyclesAndRefusals() throws Exception {
        String contended = key("leak-contended");
        String holder = owner();
        assertThat(store.tryLock(contended, holder, 60)).isTrue();
        int before = settledLeaseCount();
        int threads = 4;
        int cyclesPerThread = 2500;
        AtomicInteger cycles = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String threadKey = key("leak-" + t);
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < cyclesPerThread; i++) {
                        String owner = owner();
                        assertThat(store.tryLock(threadKey, owner, 60)).isTrue();
                        assertThat(store.unlock(threadKey, owner)).isEqualTo(LockStatus.SUCCESS);
                        cycles.incrementAndGet();
                        if (i % 25 == 0 && !store.tryLock(contended, owner(), 60)) {
                            refusals.incrementAndGet(); // a refused tryLock must give its lease back too
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cycles).hasValue(10_000);
        assertThat(refusals).hasValue(threads * cyclesPerThread / 25);
        // Leases of 60 s: none of them could have left by expiring during the test. What is left is kept for the
        // next locks (at most one per thread: each lease is given back before its thread takes one again).
        assertThat(store.idleLeases()).isBetween(1, threads);
        assertThat(settledLeaseCount()).as("leases on the server after the cycles")
                .isEqualTo(before + store.idleLeases());
        assertThat(store.unlock(contended, holder)).isEqualTo(LockStatus.SUCCESS);
        assertThat(settledLeaseCount()).as("the holder's lease is now idle too")
                .isEqualTo(before - 1 + store.idleLeases());
    }

    @Test
    void aOneSecondLockLastsEtcdsMinimumTtlAndLongerLocksTheirExpireWithinOneSecond() throws Exception {
        long minimumTtl = inspector.getLeaseClient().grant(1).get(5, TimeUnit.SECONDS).getTTL();
        assertThat(minimumTtl).as("etcd's minimum lease TTL with its default 1 s election timeout").isEqualTo(2);
        for (int expire : new int[] {1, 3}) {
            String key = key("expiry-" + expire);
            long start = System.nanoTime();
            assertThat(store.tryLock(key, owner(), expire)).isTrue();
            long expected = TimeUnit.SECONDS.toNanos(Math.max(expire, minimumTtl));
            long deadline = start + expected + TimeUnit.SECONDS.toNanos(3);
            long acquiredAt = 0;
            while (acquiredAt == 0 && System.nanoTime() < deadline) {
                if (store.tryLock(key, owner(), 60)) {
                    acquiredAt = System.nanoTime();
                } else {
                    Thread.sleep(50);
                }
            }
            assertThat(acquiredAt).as("a lock of expire=%s was taken over", expire).isNotZero();
            assertThat(Duration.ofNanos(acquiredAt - start)).as("takeover of a lock of expire=%s", expire)
                    .isGreaterThanOrEqualTo(Duration.ofNanos(expected).minusMillis(50))
                    .isLessThanOrEqualTo(Duration.ofNanos(expected).plusSeconds(1));
        }
    }

    @Test
    void keepAliveWithTheSameExpireRenewsTheLeaseInPlace() throws Exception {
        String key = key("renew");
        String owner = owner();
        assertThat(store.tryLock(key, owner, 3)).isTrue();
        long lease = held(key).getLease();
        Thread.sleep(1500);
        assertThat(store.keepAlive(key, owner, 3)).isEqualTo(LockStatus.SUCCESS);
        assertThat(held(key).getLease()).as("same lease, renewed").isEqualTo(lease);
        Thread.sleep(2000); // 3.5 s after the lock, 2 s after the renewal
        assertThat(store.tryLock(key, owner(), 60)).as("renewed lease still holds").isFalse();
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveOfAOneSecondLockRenewsItsMinimumTtlLeaseInPlace() throws Exception {
        String key = key("renew-minimum");
        String owner = owner();
        assertThat(store.tryLock(key, owner, 1)).isTrue();
        long lease = held(key).getLease();
        assertThat(store.keepAlive(key, owner, 1)).isEqualTo(LockStatus.SUCCESS);
        assertThat(held(key).getLease()).as("etcd's 2 s lease is what expire=1 gets: no move").isEqualTo(lease);
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveWithALongerExpireMovesTheKeyToANewLeaseAndRevokesTheOld() throws Exception {
        String key = key("longer");
        String owner = owner();
        assertThat(store.tryLock(key, owner, 2)).isTrue();
        long oldLease = held(key).getLease();
        int before = settledLeaseCount();
        assertThat(store.keepAlive(key, owner, 8)).isEqualTo(LockStatus.SUCCESS);
        KeyValue moved = held(key);
        assertThat(moved.getLease()).isNotEqualTo(oldLease);
        assertThat(moved.getValue().toString(StandardCharsets.UTF_8)).isEqualTo(owner);
        assertThat(inspector.getLeaseClient().timeToLive(moved.getLease(), io.etcd.jetcd.options.LeaseOption.DEFAULT)
                .get(5, TimeUnit.SECONDS).getGrantedTTL()).isEqualTo(8);
        assertThat(settledLeaseCount()).as("the old lease is revoked").isEqualTo(before);
        Thread.sleep(3500); // past the old lease and its grace
        assertThat(store.tryLock(key, owner(), 60)).as("the 8 s lease still holds").isFalse();
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void keepAliveWithAShorterExpireShortensTheLease() throws Exception {
        String key = key("shorter");
        String owner = owner();
        assertThat(store.tryLock(key, owner, 60)).isTrue();
        long renewedAt = System.nanoTime();
        assertThat(store.keepAlive(key, owner, 2)).isEqualTo(LockStatus.SUCCESS);
        long deadline = renewedAt + TimeUnit.SECONDS.toNanos(6);
        boolean taken = false;
        while (!taken && System.nanoTime() < deadline) {
            taken = store.tryLock(key, owner(), 60);
            if (!taken) {
                Thread.sleep(50);
            }
        }
        assertThat(taken).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - renewedAt)).isLessThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anUnreachableClusterFailsEveryOperationWithinTheRequestTimeout() {
        Duration timeout = Duration.ofSeconds(1);
        String nobody = "http://127.0.0.1:" + TestServers.freePort();
        try (EtcdLockStore unreachable = EtcdTestStores.store(List.of(nobody), timeout)) {
            DistributedLockClient client = new DistributedLockClient(Map.of("etcd", unreachable), "etcd",
                    LockKeyNamespace.none());
            for (Runnable call : List.<Runnable>of(
                    () -> client.tryLock(new TryLockRequest("etcd", "r", "o", 10)),
                    () -> client.unlock(new UnlockRequest("etcd", "r", "o")),
                    () -> client.keepAlive(new LockKeepAliveRequest("etcd", "r", "o", 10)))) {
                long start = System.nanoTime();
                assertThatThrownBy(call::run).isInstanceOf(LockStoreException.class)
                        .hasMessageContaining("'etcd'");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plusMillis(1500));
            }
        }
    }

    private KeyValue held(String key) throws Exception {
        List<KeyValue> kvs = inspector.getKVClient()
                .get(ByteSequence.from(store.namespace() + key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS)
                .getKvs();
        assertThat(kvs).as("key %s in etcd", key).hasSize(1);
        return kvs.get(0);
    }

    /** Leases on the server once this store's background revokes are answered. */
    private int settledLeaseCount() throws InterruptedException {
        assertThat(store.awaitPendingRevokes(Duration.ofSeconds(10))).as("revokes answered").isTrue();
        return EtcdTestServer.countLeases(server.endpoint());
    }

    private static String key(String name) {
        return "store-test-" + name + "-" + UUID.randomUUID();
    }

    private static String owner() {
        return UUID.randomUUID().toString();
    }
}
