package io.github.distlock.store.redis;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.testsupport.RedisTestSentinel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Sentinel failover under a running application configured with {@code spring.data.redis.sentinel.*}: while the
 * master is down locks fail fast with {@link LockStoreException}; once Sentinel has promoted the replica, the same
 * connection factory locks on the new master, without a restart. Whether a lock taken before the failover survives
 * is not asserted: replication is asynchronous, so a failover may lose it (as the README says).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockStoreSentinelFailoverTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

    private RedisTestSentinel sentinel;

    @BeforeAll
    void startSentinel() {
        sentinel = RedisTestSentinel.startLocalProcesses(1, 3);
    }

    @AfterAll
    void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Test
    void afterTheMasterDiesLocksFailFastThenWorkOnThePromotedReplicaWithoutARestart() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.sentinel.master=" + sentinel.masterName(),
                        "spring.data.redis.sentinel.nodes=" + String.join(",", sentinel.sentinels()),
                        "spring.data.redis.timeout=" + COMMAND_TIMEOUT.toMillis() + "ms",
                        "distributed-lock.key-prefix=none", "distributed-lock.stores.main.type=redis")
                .run(context -> {
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    InetSocketAddress oldMaster = sentinel.currentMaster();
                    assertThat(oldMaster.getPort()).isEqualTo(sentinel.initialMasterPort());
                    assertThat(tryLock(client, "before-failover", "owner-1")).isTrue();
                    assertThat(sentinel.lockOwner(oldMaster, "before-failover")).isEqualTo("owner-1");

                    sentinel.killMaster();
                    // Sentinel still names the dead master (it waits DOWN_AFTER before even suspecting it): no
                    // master to lock on. TryLock fails with the typed exception within the command timeout.
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> tryLock(client, "during-failover", "owner-2"))
                            .isInstanceOf(LockStoreException.class).hasMessageContaining("'main'");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail")
                            .isLessThan(COMMAND_TIMEOUT.plusMillis(1500));

                    InetSocketAddress newMaster = sentinel.awaitFailover(oldMaster, FAILOVER_TIMEOUT);
                    assertThat(newMaster).isNotEqualTo(oldMaster);

                    // The same application, the same connection factory: Lettuce reconnects through Sentinel.
                    String key = "after-failover-" + UUID.randomUUID();
                    long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
                    while (true) {
                        try {
                            if (tryLock(client, key, "owner-3")) {
                                break;
                            }
                            throw new AssertionError(key + " refused, but nobody else ever locked it");
                        } catch (LockStoreException e) {
                            assertThat(System.nanoTime()).as("locks work %s after the promotion: %s",
                                    FAILOVER_TIMEOUT, e).isLessThan(deadline);
                            TimeUnit.MILLISECONDS.sleep(100);
                        }
                    }
                    assertThat(sentinel.lockOwner(newMaster, key)).as("the lock is on the promoted master")
                            .isEqualTo("owner-3");
                    assertThat(sentinel.lockOwner(newMaster, "during-failover"))
                            .as("the TryLock that failed during the failover was not sent later").isNull();
                    assertThat(tryLock(client, key, "owner-4")).as("held on the new master").isFalse();
                    assertThat(client.unlock(new UnlockRequest("main", key, "owner-3")).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(sentinel.lockOwner(newMaster, key)).isNull();
                });
    }

    private static boolean tryLock(DistributedLockClient client, String resource, String owner) {
        return client.tryLock(new TryLockRequest("main", resource, owner, 60)).success();
    }
}
