package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.EtcdTestServer.Member;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A 3-member etcd cluster on loopback losing members under load: with one member gone (the leader) locking goes on
 * with no double grant; with two gone there is no quorum and every request fails within the request timeout; when a
 * member returns, locking recovers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdClusterTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private List<Member> members;
    private EtcdLockStore store;

    @BeforeAll
    void startCluster() {
        members = EtcdTestServer.cluster(3);
        members.forEach(member -> member.process().start());
        members.forEach(member -> EtcdTestServer.awaitHealthy(member.endpoint(), member.process()));
        store = EtcdTestStores.store(members.stream().map(Member::endpoint).toList(), REQUEST_TIMEOUT);
    }

    @AfterAll
    void stopCluster() {
        if (store != null) {
            store.close();
        }
        if (members != null) {
            members.forEach(member -> member.process().kill());
        }
    }

    @Test
    void lockingSurvivesOneLostMemberFailsFastWithoutQuorumAndRecovers() throws Exception {
        // One member lost, the leader: elections, retries, no double grant, locking goes on.
        Member leader = leader();
        Load load = new Load(store, 4);
        load.start();
        Thread.sleep(1500);
        int grantsBeforeKill = load.grants.get();
        leader.process().kill();
        // A call caught by the election fails after the request timeout; a failed Unlock leaves its key to its lease
        // (10 s), so with few keys all of them can be out of play for a while. Hence many keys and a wait, not a
        // fixed window: locking must go on, however long the election takes on a loaded machine, within 20 s.
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(load.grants.get() - grantsBeforeKill)
                            .as("grants after the leader was killed (%d calls failed)", load.failures.get())
                            .isGreaterThan(10));
        } finally {
            load.stop();
        }
        assertThat(grantsBeforeKill).as("grants before the kill").isGreaterThan(10);
        assertThat(load.overlaps).as("two holders of one key at once").hasValue(0);
        assertThat(load.refusedUnlocks).as("unlocks of a held lock answered other than SUCCESS").hasValue(0);

        // A second member lost: no quorum, so no answer; every operation fails within the request timeout.
        Member second = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        second.process().kill();
        String key = "cluster-" + UUID.randomUUID();
        String owner = UUID.randomUUID().toString();
        for (Runnable call : List.<Runnable>of(() -> store.tryLock(key, owner, 10), () -> store.unlock(key, owner),
                () -> store.keepAlive(key, owner, 10))) {
            long start = System.nanoTime();
            assertThatThrownBy(call::run).isInstanceOf(EtcdLockStoreException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REQUEST_TIMEOUT.plusMillis(1500));
        }

        // A member returns: quorum again, locking recovers.
        second.process().start();
        EtcdTestServer.awaitHealthy(second.endpoint(), second.process());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean locked = false;
        while (!locked && System.nanoTime() < deadline) {
            try {
                locked = store.tryLock(key, owner, 10);
            } catch (EtcdLockStoreException e) {
                Thread.sleep(200); // the client may still be reconnecting
            }
        }
        assertThat(locked).as("locked after a member returned").isTrue();
        assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    private Member leader() throws Exception {
        try (Client client = EtcdTestStores.client(members.stream().map(Member::endpoint).toList(), REQUEST_TIMEOUT)) {
            for (Member member : members) {
                StatusResponse status = client.getMaintenanceClient().statusMember(member.endpoint())
                        .get(5, TimeUnit.SECONDS);
                if (status.getLeader() == status.getHeader().getMemberId()) {
                    return member;
                }
            }
        }
        throw new AssertionError("No member is the leader");
    }

    /** Threads locking and unlocking a few shared keys, counting any overlap; failures during failover are allowed. */
    private static final class Load {

        final EtcdLockStore store;
        final int threads;
        final String[] keys = IntStream.range(0, 8).mapToObj(i -> "cluster-" + i + "-" + UUID.randomUUID())
                .toArray(String[]::new);
        final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        final AtomicInteger grants = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger refusedUnlocks = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService pool;
        final List<Future<?>> workers = new ArrayList<>();

        Load(EtcdLockStore store, int threads) {
            this.store = store;
            this.threads = threads;
            this.pool = Executors.newFixedThreadPool(threads);
            for (String key : keys) {
                inside.put(key, new AtomicInteger());
            }
        }

        void start() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    while (running.get() && System.nanoTime() < deadline) {
                        String key = keys[ThreadLocalRandom.current().nextInt(keys.length)];
                        String owner = UUID.randomUUID().toString();
                        try {
                            if (!store.tryLock(key, owner, 10)) {
                                continue;
                            }
                        } catch (EtcdLockStoreException e) {
                            failures.incrementAndGet();
                            continue;
                        }
                        grants.incrementAndGet();
                        if (inside.get(key).incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.sleep(1);
                        inside.get(key).decrementAndGet();
                        try {
                            if (store.unlock(key, owner) != LockStatus.SUCCESS) {
                                refusedUnlocks.incrementAndGet();
                            }
                        } catch (EtcdLockStoreException e) {
                            failures.incrementAndGet(); // the lock then ends with its lease
                        }
                    }
                    return null;
                }));
            }
        }

        void stop() throws Exception {
            running.set(false);
            try {
                for (Future<?> worker : workers) {
                    worker.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
