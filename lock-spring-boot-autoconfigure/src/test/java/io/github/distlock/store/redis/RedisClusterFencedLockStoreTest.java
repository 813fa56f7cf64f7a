package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.RedisTestCluster;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fencing tokens on a three-master Redis Cluster: every script touches its lock key only, so keys of any slot work
 * (no {@code CROSSSLOT}), and nothing is left per lock key once the locks and their tombstones are gone.
 */
class RedisClusterFencedLockStoreTest extends AbstractRedisFencedLockStoreTest<RedisTestCluster> {

    /** Distinct lock keys of the leftover test: taken and released by {@link #THREADS} threads. */
    private static final int DISTINCT_LOCKS = 100_000;
    private static final int THREADS = 32;

    @Override
    protected RedisTestCluster startServers() {
        return RedisTestCluster.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestCluster cluster) {
        return cluster.connectionFactory(COMMAND_TIMEOUT);
    }

    @Test
    void keysOfManySlotsGetTokensWithoutCrossSlotErrors() {
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String key = uniqueKey("slot-" + i);
            slots.add(SlotHash.getSlot(key));
            String first = newOwner();
            long token = store().tryLockFenced(key, first, LONG_EXPIRE);
            assertThat(token).isPositive();
            assertThat(store().unlock(key, first)).isEqualTo(LockStatus.SUCCESS);
            String second = newOwner();
            assertThat(store().tryLockFenced(key, second, LONG_EXPIRE)).isGreaterThan(token);
            assertThat(store().unlock(key, second)).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(slots).as("slots of the keys").hasSizeGreaterThan(10);
    }

    @Test
    void noKeyIsLeftPerLockKeyOnceTheTombstonesExpire() throws Exception {
        Duration retention = Duration.ofSeconds(1);
        long before = keyCount();
        try (RedisLockStore store = newStore(retention)) {
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            try {
                String prefix = uniqueKey("leftover") + "-";
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int first = t;
                    work.add(threads.submit(() -> {
                        for (int i = first; i < DISTINCT_LOCKS; i += THREADS) {
                            String owner = newOwner();
                            assertThat(store.tryLockFenced(prefix + i, owner, LONG_EXPIRE)).isPositive();
                            assertThat(store.unlock(prefix + i, owner)).isEqualTo(LockStatus.SUCCESS);
                        }
                        return null;
                    }));
                }
                for (Future<?> done : work) {
                    done.get(120, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(keyCount()).as("tombstones right after the unlocks").isGreaterThan(before);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(keyCount()).as("keys once the tombstones expired")
                            .isEqualTo(before));
        }
    }

    /** Keys on all masters; expired keys count until Redis reclaims them. */
    private long keyCount() {
        try (RedisClusterConnection connection = connectionFactory().getClusterConnection()) {
            return connection.serverCommands().dbSize();
        }
    }
}
