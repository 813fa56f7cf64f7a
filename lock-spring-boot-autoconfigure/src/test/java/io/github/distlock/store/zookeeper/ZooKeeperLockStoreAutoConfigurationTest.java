package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.spi.LockLossReporting;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperLockStoreAutoConfigurationTest {

    private ZooKeeperTestServer server;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class,
                    ZooKeeperLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class));

    @BeforeAll
    void startServer() {
        server = ZooKeeperTestServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void healthIsDownWhileAStoreIsNotConnectedWithItsDetails() throws Exception {
        var controllable = ZooKeeperTestServer.start();
        try {
            runner.withPropertyValues("distributed-lock.stores.locks.type=zookeeper",
                    "distributed-lock.stores.locks.zookeeper.connect-string=" + controllable.connectString(),
                    "distributed-lock.stores.locks.zookeeper.session-timeout=2s").run(context -> {
                        HealthIndicator locks = storeHealth(context, "locks");
                        controllable.controllable().stop();
                        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                        Health health = locks.health();
                        while (!health.getStatus().equals(Status.DOWN) && System.nanoTime() < deadline) {
                            Thread.sleep(100);
                            health = locks.health();
                        }
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.getDetails()).containsEntry("type", "zookeeper")
                                .containsEntry("address", controllable.connectString())
                                .containsEntry("connected", false).containsKey("error");
                    });
        } finally {
            controllable.close();
        }
    }

    @Test
    void theApplicationsCuratorFrameworkBecomesTheImplicitStoreAndStaysOpen() {
        CuratorFramework client = server.client(Duration.ofSeconds(2));
        try {
            runner.withBean(CuratorFramework.class, () -> client, definition -> definition.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        LockStoreRegistry registry = context.getBean(LockStoreRegistry.class);
                        assertThat(registry.stores()).containsOnlyKeys("zookeeper");
                        assertThat(registry.stores().get("zookeeper")).isInstanceOf(ZooKeeperLockStore.class);
                        DistributedLockClient locks = context.getBean(DistributedLockClient.class);
                        assertThat(locks.tryLock(new TryLockRequest("", "order-1", "me", 10)).success()).isTrue();
                        assertThat(locks.tryLock(new TryLockRequest("", "order-1", "you", 10)).success()).isFalse();
                        assertThat(locks.unlock(new UnlockRequest("", "order-1", "me")).status())
                                .isEqualTo(LockStatus.SUCCESS);
                        Health health = storeHealth(context, "zookeeper").health(true);
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        assertThat(health.getDetails()).containsEntry("type", "zookeeper")
                                .containsEntry("rootPath", "/distlock").containsEntry("heldLocks", 0)
                                .containsEntry("lostLocks", 0L);
                        // Locks lost with the session are counted by the watchdog, in one distributed.lock.lost
                        // meter with the other stores (tags store and source), not by a meter of the store's own.
                        assertThat(context).doesNotHaveBean("zooKeeperLockStoreMeterBinder");
                        assertThat(registry.stores().get("zookeeper")).isInstanceOf(LockLossReporting.class);
                    });
            assertThat(client.getState()).as("the application's client is not the store's to close")
                    .isEqualTo(CuratorFrameworkState.STARTED);
        } finally {
            client.close();
        }
    }

    @Test
    void theHealthComponentCanBeSwitchedOff() {
        runner.withPropertyValues("management.health.distributed-lock.enabled=false",
                        "distributed-lock.stores.locks.type=zookeeper",
                        "distributed-lock.stores.locks.zookeeper.connect-string=" + server.connectString())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean("distributedLockHealthContributor");
                });
        runner.withPropertyValues("distributed-lock.stores.locks.type=zookeeper",
                        "distributed-lock.stores.locks.zookeeper.connect-string=" + server.connectString())
                .run(context -> assertThat(context).hasBean("distributedLockHealthContributor"));
    }

    private static HealthIndicator storeHealth(AssertableApplicationContext context, String store) {
        return (HealthIndicator) context.getBean("distributedLockHealthContributor", CompositeHealthContributor.class)
                .getContributor(store);
    }

    @Test
    void aConnectStringGivesTheStoreItsOwnClientClosedOnShutdown() {
        ZooKeeperLockStore[] built = new ZooKeeperLockStore[1];
        runner.withPropertyValues("distributed-lock.stores.locks.type=zookeeper",
                        "distributed-lock.stores.locks.zookeeper.connect-string=" + server.connectString(),
                        "distributed-lock.stores.locks.zookeeper.root-path=/app/locks",
                        "distributed-lock.stores.locks.zookeeper.operation-timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    built[0] = (ZooKeeperLockStore) context.getBean(LockStoreRegistry.class).stores().get("locks");
                    assertThat(built[0].rootPath()).isEqualTo("/app/locks");
                    assertThat(built[0].tryLock("k", "me", 10)).isTrue();
                    assertThat(built[0].pathFor("k")).isEqualTo("/app/locks/k");
                });
        assertThat(built[0].isConnected()).as("its own client is closed with the context").isFalse();
    }

    @Test
    void withoutCuratorTheStoreTypeIsAbsentAndLocksStayInMemory() {
        runner.withClassLoader(new FilteredClassLoader(CuratorFramework.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ZooKeeperLockStoreFactory.class);
            assertThat(context.getBean(LockStoreRegistry.class).stores()).containsOnlyKeys("in-memory");
        });
    }

    @Test
    void noConnectStringAndNoCuratorBeanIsAConfigurationErrorNamingTheProperty() {
        runner.withPropertyValues("distributed-lock.stores.locks.type=zookeeper").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidLockConfigurationException.class)
                    .hasMessageContaining("distributed-lock.stores.locks.zookeeper.connect-string");
        });
    }

    @Test
    void anInvalidRootPathIsAConfigurationErrorNamingTheProperty() {
        runner.withPropertyValues("distributed-lock.stores.locks.type=zookeeper",
                "distributed-lock.stores.locks.zookeeper.connect-string=" + server.connectString(),
                "distributed-lock.stores.locks.zookeeper.root-path=/").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidLockConfigurationException.class)
                    .hasMessageContaining("distributed-lock.stores.locks.zookeeper.root-path");
        });
    }
}
