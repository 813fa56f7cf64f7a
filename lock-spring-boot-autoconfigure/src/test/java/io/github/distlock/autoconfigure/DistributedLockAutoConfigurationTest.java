package io.github.distlock.autoconfigure;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import io.github.distlock.store.etcd.EtcdLockStoreAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.distlock.testsupport.StartupFailures.invalidConfiguration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(OutputCaptureExtension.class)
class DistributedLockAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
                    EtcdLockStoreAutoConfiguration.class, ZooKeeperLockStoreAutoConfiguration.class))
            // Only the stores each test names: the Redis, ZooKeeper and etcd client libraries are hidden here.
            .withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "org.apache.curator",
                    "io.etcd.jetcd"));

    @Test
    void withoutStoresOrClientsItUsesOneInMemoryStoreAndWarns(CapturedOutput output) {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.storeNames()).containsExactly("in-memory");
            assertThat(client.defaultStoreName()).isEqualTo("in-memory");
            assertThat(output).containsOnlyOnce("locks are local to this JVM".replace("locks", "Locks"));
        });
    }

    @Test
    void namedStoresAndTheDefault() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=in-memory",
                "distributed-lock.stores.jobs.type=IN_MEMORY", "distributed-lock.default-store=jobs").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.storeNames()).containsExactly("orders", "jobs");
            assertThat(client.defaultStoreName()).isEqualTo("jobs");
        });
    }

    @Test
    void aSingleStoreIsTheDefault() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=in-memory").run(context ->
                assertThat(context.getBean(DistributedLockClient.class).defaultStoreName()).isEqualTo("orders"));
    }

    @Test
    void defaultStoreMustBeConfigured() {
        assertFails(runner.withPropertyValues("distributed-lock.stores.orders.type=in-memory",
                "distributed-lock.default-store=payments"), "distributed-lock.default-store", "'payments'", "[orders]");
    }

    @Test
    void severalStoresNeedADefault() {
        assertFails(runner.withPropertyValues("distributed-lock.stores.a.type=in-memory",
                "distributed-lock.stores.b.type=in-memory"), "distributed-lock.default-store", "[a, b]");
    }

    @Test
    void aStoreNeedsAType() {
        // As bound from e.g. distributed-lock.stores.orders.etcd.endpoints=... with no type.
        Map<String, String> types = new LinkedHashMap<>();
        types.put("orders", null);
        List<LockStoreFactory<?>> factories = List.of(new ClientPresentFactory("redis"),
                new ClientPresentFactory("zookeeper"), new ClientPresentFactory("etcd"));
        assertThatThrownBy(() -> LockStoreRegistry.build(types, null, factories, Map.of(),
                new Binder(List.of())))
                .isInstanceOf(InvalidLockConfigurationException.class)
                .hasMessageContaining("etcd, redis, zookeeper")
                .extracting("property").isEqualTo("distributed-lock.stores.orders.type");
    }

    @Test
    void anUnknownTypeNamesTheProperty() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=mongo").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mongo");
            assertThat(context.getStartupFailure()).hasStackTraceContaining("distributed-lock.stores.orders.type");
        });
    }

    @Test
    void aStoreTypeWhoseClientIsMissingSaysWhatToAdd() {
        assertFails(runner.withPropertyValues("distributed-lock.stores.orders.type=redis"),
                "distributed-lock.stores.orders.type", "spring-boot-starter-data-redis");
        assertFails(runner.withPropertyValues("distributed-lock.stores.orders.type=etcd"),
                "distributed-lock.stores.orders.type", "jetcd-core");
        // spring-cloud-starter-zookeeper alone does not bring Curator (it is optional there): name Curator itself.
        assertFails(runner.withPropertyValues("distributed-lock.stores.orders.type=zookeeper"),
                "distributed-lock.stores.orders.type", "Add org.apache.curator:curator-framework");
    }

    @Test
    void aBadDefaultExpireNamesTheProperty() {
        assertFails(runner.withPropertyValues("distributed-lock.default-expire=500ms"),
                "distributed-lock.default-expire", "whole number of seconds");
    }

    @Test
    void severalLockCapableClientsWithoutStoresIsAmbiguous() {
        runner.withBean("redisFactory", LockStoreFactory.class, () -> new ClientPresentFactory("redis"))
                .withBean("etcdFactory", LockStoreFactory.class, () -> new ClientPresentFactory("etcd"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("redis, etcd")
                            .hasStackTraceContaining("Name the stores");
                });
    }

    @Test
    void theSingleLockCapableClientBecomesTheStore() {
        runner.withBean("redisFactory", LockStoreFactory.class, () -> new ClientPresentFactory("redis"))
                .run(context -> assertThat(context.getBean(DistributedLockClient.class).storeNames())
                        .containsExactly("redis"));
    }

    @Test
    void anApplicationLockStoreBeanIsAStoreByItsBeanName() {
        InMemoryLockStore custom = new InMemoryLockStore();
        runner.withBean("orders", LockStore.class, () -> custom)
                .withPropertyValues("distributed-lock.stores.orders.type=in-memory").run(context -> {
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.store("orders")).isSameAs(custom);
                });
    }

    @Test
    void everyBeanBacksOffForTheApplicationsOwn() {
        DistributedLockClient own = new DistributedLockClient(Map.of("mine", new InMemoryLockStore()), "mine",
                LockKeyNamespace.none());
        runner.withBean(DistributedLockClient.class, () -> own).run(context -> {
            assertThat(context.getBean(DistributedLockClient.class)).isSameAs(own);
            assertThat(own.tryLock(new TryLockRequest("", "r", "o", 5)).success()).isTrue();
        });
    }

    @Test
    void canBeSwitchedOff() {
        runner.withPropertyValues("distributed-lock.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DistributedLockClient.class));
    }

    @Test
    void theFailureAnalyzerShowsPropertyProblemAndAction() {
        InvalidLockConfigurationException failure = new InvalidLockConfigurationException("distributed-lock.x",
                "It is wrong.", "Fix it.");
        FailureAnalysis analysis = new InvalidLockConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("distributed-lock.x").contains("It is wrong.");
        assertThat(analysis.getAction()).isEqualTo("Fix it.");
    }

    @Test
    void theInMemoryStoreWorksThroughTheClient() {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.tryLock(new TryLockRequest("", "r", "o", 5)).success()).isTrue();
            assertThat(client.store("").unlock(client.key("r"), "o")).isEqualTo(LockStatus.SUCCESS);
        });
    }

    private static void assertFails(ApplicationContextRunner runner, String property, String... fragments) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            InvalidLockConfigurationException failure = invalidConfiguration(context.getStartupFailure());
            assertThat(failure.getProperty()).isEqualTo(property);
            assertThat(failure.getMessage()).contains(fragments);
        });
    }

    /** Stands for a store type whose client bean the application has; builds in-memory stores. */
    static final class ClientPresentFactory implements LockStoreFactory<Void> {

        private final String type;

        ClientPresentFactory(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<Void> propertiesType() {
            return Void.class;
        }

        @Override
        public boolean clientAvailable() {
            return true;
        }

        @Override
        public LockStore create(LockStoreDefinition<Void> definition) {
            return new InMemoryLockStore();
        }
    }
}
