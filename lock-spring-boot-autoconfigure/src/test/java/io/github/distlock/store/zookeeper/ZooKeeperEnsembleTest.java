package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * threads: no two owners may ever be inside one key at once, and locking must work again once a new leader is
 * elected. The only overlap allowed is with a holder whose store reported its locks lost (the session was suspended
 * or expired) after that holder was granted, and whose Unlock then did not answer SUCCESS: such a holder was told its
 * lock may be gone. Every other overlap, whatever the Unlocks answered, is a double grant.
 */
class ZooKeeperEnsembleTest {

    private static final String[] KEYS = {"ensemble-0", "ensemble-1", "ensemble-2"};

    /** How long a holder whose Unlock did not succeed waits for its store's loss report (delivered asynchronously). */
    /** Long enough for a contender to get between a grant and its Unlock, were the store to let it. */
    private static final long HOLD_MILLIS = 10;
    private static final Duration LOSS_REPORT_WAIT = Duration.ofSeconds(2);

    private final Map<String, Set<Grant>> inside = new ConcurrentHashMap<>();
    private final List<Grant[]> overlaps = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    /** When the leader was killed, by {@link System#nanoTime()}; grants are reported relative to it. */
    private volatile long killedAtNanos = Long.MAX_VALUE;

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
                killedAtNanos = System.nanoTime();
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
            int excused = 0;
            synchronized (overlaps) {
                for (Grant[] pair : overlaps) {
                    Grant earlier = pair[0];
                    if (earlier.reportedLost()) {
                        excused++;
                    } else {
                        violations.add(earlier + " then " + pair[1]);
                    }
                }
            }
            assertThat(violations).as("owners inside one key at once (%d grants, %d overlaps excused by a loss report)",
                    grants.get(), excused).isEmpty();
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
            // Counted before asking, so that a loss reported right after the grant is seen as after it.
            Grant grant = new Grant(UUID.randomUUID().toString(), store, store.lostLockCount());
            try {
                if (!store.tryLock(key, grant.owner, 10)) {
                    continue;
                }
            } catch (LockStoreException e) {
                errors.incrementAndGet();
                Thread.sleep(50);
                continue;
            }
            grants.incrementAndGet();
            grant.grantedAtNanos = System.nanoTime();
            Set<Grant> holders = inside.get(key);
            synchronized (holders) { // of two overlapping holders, the later one always sees the earlier one
                for (Grant other : holders) {
                    overlaps.add(new Grant[] {other, grant});
                }
                holders.add(grant);
            }
            Thread.sleep(HOLD_MILLIS);
            synchronized (holders) {
                holders.remove(grant);
            }
            try {
                grant.unlockStatus = store.unlock(key, grant.owner);
            } catch (LockStoreException e) {
                errors.incrementAndGet();
            }
            grant.unlockedAtNanos = System.nanoTime();
            grant.lostAfterUnlock = store.lostLockCount();
            if (grant.unlockStatus != LockStatus.SUCCESS) {
                // The connection listener may report the loss a moment after the Unlock found the lock gone.
                long waitUntil = System.nanoTime() + LOSS_REPORT_WAIT.toNanos();
                while (grant.lostAfterUnlock == grant.lostAtGrant && System.nanoTime() < waitUntil) {
                    Thread.sleep(20);
                    grant.lostAfterUnlock = store.lostLockCount();
                }
            }
        }
        return null;
    }

    /** One granted TryLock and what its store said about it afterwards. */
    private final class Grant {
        final String owner;
        final ZooKeeperLockStore store;
        final long lostAtGrant;
        volatile LockStatus unlockStatus;
        volatile long lostAfterUnlock = -1;
        volatile long grantedAtNanos;
        volatile long unlockedAtNanos;

        Grant(String owner, ZooKeeperLockStore store, long lostAtGrant) {
            this.owner = owner;
            this.store = store;
            this.lostAtGrant = lostAtGrant;
        }

        /** Told its lock may be gone: a loss reported by its store after the grant, and no successful Unlock. */
        boolean reportedLost() {
            return unlockStatus != LockStatus.SUCCESS && lostAfterUnlock > lostAtGrant;
        }

        @Override
        public String toString() {
            return owner + " (store " + System.identityHashCode(store) + ", unlock " + unlockStatus + ", lost "
                    + lostAtGrant + "->" + lostAfterUnlock + ", granted " + sinceKill(grantedAtNanos)
                    + ", unlocked " + sinceKill(unlockedAtNanos) + ")";
        }
    }

    /** {@code nanos} as milliseconds relative to the leader's kill (negative: before it). */
    private String sinceKill(long nanos) {
        if (nanos == 0) {
            return "never";
        }
        long killed = killedAtNanos;
        return killed == Long.MAX_VALUE ? "before the kill"
                : TimeUnit.NANOSECONDS.toMillis(nanos - killed) + " ms after the kill";
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
