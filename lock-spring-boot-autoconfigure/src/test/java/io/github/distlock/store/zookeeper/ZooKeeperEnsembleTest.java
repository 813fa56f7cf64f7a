package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A three-server ensemble loses its leader while two stores (two sessions) lock and unlock shared keys from eight
 * threads: no two owners may ever be inside one key with both of them told their lock held to the end (Unlock
 * SUCCESS), and locking must work again once a new leader is elected.
 */
class ZooKeeperEnsembleTest {

    private static final String[] KEYS = {"ensemble-0", "ensemble-1", "ensemble-2"};

    private final Map<String, Set<String>> inside = new ConcurrentHashMap<>();
    private final List<String[]> overlaps = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, LockStatus> unlockStatus = new ConcurrentHashMap<>();
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    @Test
    void killingTheLeaderNeverLetsTwoOwnersHoldALockAndLockingRecovers() throws Exception {
        String prefix = UUID.randomUUID() + "-";
        try (TestingCluster cluster = ZooKeeperTestServer.cluster(3);
             ZooKeeperLockStore first = store(cluster);
             ZooKeeperLockStore second = store(cluster)) {
            for (String key : KEYS) {
                inside.put(prefix + key, ConcurrentHashMap.newKeySet());
            }
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                ZooKeeperLockStore store = t % 2 == 0 ? first : second;
                workers.add(pool.submit(() -> work(store, prefix, running)));
            }
            try {
                Thread.sleep(1500);
                long grantsBefore = grants.get();
                InstanceSpec leader = awaitLeader(cluster);
                assertThat(cluster.killServer(leader)).isTrue();
                Thread.sleep(1000);
                // A new leader is elected from the two left; locking works again.
                awaitLeader(cluster);
                long probe = ZooKeeperLockStoreFaultTest.pollUntilAcquired(first, prefix + "probe", "probe",
                        Duration.ofSeconds(20));
                assertThat(probe).isPositive();
                long grantsAtRecovery = grants.get();
                assertThat(cluster.restartServer(leader)).isTrue();
                assertThat(grantsBefore).as("grants before the leader was killed").isPositive();
                // The workers lock again (bounded: a loaded machine may suspend the 2 s sessions once more).
                long recoveryDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (grants.get() < grantsAtRecovery + 20 && System.nanoTime() < recoveryDeadline) {
                    Thread.sleep(100);
                }
                assertThat(grants.get()).as("grants after recovery; lock nodes: %s", nodes(first, prefix))
                        .isGreaterThanOrEqualTo(grantsAtRecovery + 20);
            } finally {
                running.set(false);
                pool.shutdown();
                for (Future<?> worker : workers) {
                    worker.get(30, TimeUnit.SECONDS);
                }
            }
            List<String> violations = new ArrayList<>();
            synchronized (overlaps) {
                for (String[] pair : overlaps) {
                    if (unlockStatus.get(pair[0]) == LockStatus.SUCCESS && unlockStatus.get(pair[1]) == LockStatus.SUCCESS) {
                        violations.add(pair[0] + " and " + pair[1]);
                    }
                }
            }
            assertThat(violations).as("owners inside one key at once, both told they held it to the end").isEmpty();
        }
    }

    private static String nodes(ZooKeeperLockStore store, String prefix) {
        StringBuilder out = new StringBuilder("held here: " + store.heldLockCount() + "; ");
        try (var client = ZooKeeperTestServer.client(store.connectionString(), Duration.ofSeconds(2))) {
            client.blockUntilConnected(5, TimeUnit.SECONDS);
            for (String child : client.getChildren().forPath(store.rootPath())) {
                var stat = new org.apache.zookeeper.data.Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(store.rootPath() + "/" + child);
                out.append(child).append(" owner-session=0x").append(Long.toHexString(stat.getEphemeralOwner()))
                        .append(" v").append(stat.getVersion()).append(" age=")
                        .append(System.currentTimeMillis() - stat.getMtime()).append("ms ")
                        .append(new String(data).replace('\n', ' ')).append("; ");
            }
        } catch (Exception e) {
            out.append(e);
        }
        return out.toString();
    }

    private static ZooKeeperLockStore store(TestingCluster cluster) {
        return ZooKeeperLockStoreFaultTest.newStore(
                ZooKeeperTestServer.client(cluster.getConnectString(), Duration.ofSeconds(2)));
    }

    private Void work(ZooKeeperLockStore store, String prefix, AtomicBoolean running) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 100_000 && running.get() && System.nanoTime() < deadline; i++) {
            String key = prefix + KEYS[ThreadLocalRandom.current().nextInt(KEYS.length)];
            String owner = UUID.randomUUID().toString();
            try {
                if (!store.tryLock(key, owner, 10)) {
                    continue;
                }
            } catch (LockStoreException e) {
                errors.incrementAndGet();
                Thread.sleep(50);
                continue;
            }
            grants.incrementAndGet();
            Set<String> holders = inside.get(key);
            for (String other : holders) {
                overlaps.add(new String[] {other, owner});
            }
            holders.add(owner);
            Thread.sleep(2);
            holders.remove(owner);
            try {
                unlockStatus.put(owner, store.unlock(key, owner));
            } catch (LockStoreException e) {
                errors.incrementAndGet();
            }
        }
        return null;
    }

    private static InstanceSpec awaitLeader(TestingCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            InstanceSpec leader = ZooKeeperTestServer.leader(cluster);
            if (leader != null) {
                return leader;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader within 20 s");
    }
}
