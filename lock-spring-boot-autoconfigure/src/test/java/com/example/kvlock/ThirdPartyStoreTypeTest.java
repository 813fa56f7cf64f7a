package com.example.kvlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.StartupFailures;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store type that only this test knows, {@code test-kv}, added the way another library would add one: a
 * {@link LockStoreFactory} bean from its own auto-configuration, with its own settings class. Lives outside the
 * project's packages on purpose: it may use only what is public.
 */
class ThirdPartyStoreTypeTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, TestKvAutoConfiguration.class))
            .withPropertyValues("distributed-lock.key-prefix=kvapp");

    @Test
    void aStoreOfTheTestTypeGetsItsSettingsBound() {
        runner.withPropertyValues("distributed-lock.stores.main.type=test-kv",
                "distributed-lock.stores.main.test-kv.endpoint=kv://127.0.0.1:7000",
                "distributed-lock.stores.main.test-kv.timeout=750ms",
                "distributed-lock.stores.main.test-kv.replicas[0]=kv://127.0.0.1:7001",
                "distributed-lock.stores.main.test-kv.replicas[1]=kv://127.0.0.1:7002",
                "distributed-lock.stores.main.test-kv.retry.max-attempts=4").run(context -> {
                    assertThat(context).hasNotFailed();
                    TestKvLockStore store = (TestKvLockStore) context.getBean(DistributedLockClient.class)
                            .store("main");
                    TestKvProperties settings = store.definition.properties();
                    assertThat(settings.getEndpoint()).isEqualTo("kv://127.0.0.1:7000");
                    assertThat(settings.getTimeout()).isEqualTo(Duration.ofMillis(750));
                    assertThat(settings.getReplicas()).containsExactly("kv://127.0.0.1:7001", "kv://127.0.0.1:7002");
                    assertThat(settings.getRetry().getMaxAttempts()).isEqualTo(4);
                    assertThat(store.definition.storeName()).isEqualTo("main");
                    assertThat(store.definition.property("timeout"))
                            .isEqualTo("distributed-lock.stores.main.test-kv.timeout");
                });
    }

    @Test
    void settingsLeftOutKeepTheirDefaults() {
        runner.withPropertyValues("distributed-lock.stores.main.type=test-kv").run(context -> {
            TestKvProperties settings = ((TestKvLockStore) context.getBean(DistributedLockClient.class)
                    .store("main")).definition.properties();
            assertThat(settings.getTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(settings.getReplicas()).isEmpty();
            assertThat(settings.getRetry().getMaxAttempts()).isEqualTo(3);
        });
    }

    @Test
    void distributedLockMethodsLockThroughTheStoreWithThePrefixedKey() {
        runner.withBean(Reports.class).withPropertyValues("distributed-lock.stores.main.type=test-kv").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            TestKvLockStore store = (TestKvLockStore) client.store("main");
            Reports reports = context.getBean(Reports.class);

            // While the method runs, another owner cannot take its lock: a contender through the client fails.
            boolean contenderWon = reports.build(7, () -> client.tryLock(
                    new TryLockRequest("main", "report-7", "contender", 10)).success());

            assertThat(contenderWon).isFalse();
            assertThat(store.calls).hasSize(3);
            String annotationOwner = store.calls.get(0).owner();
            assertThat(store.calls.get(0)).isEqualTo(new Call("tryLock", "kvapp:report-7", annotationOwner, 10));
            assertThat(store.calls.get(1)).isEqualTo(new Call("tryLock", "kvapp:report-7", "contender", 10));
            assertThat(store.calls.get(2)).isEqualTo(new Call("unlock", "kvapp:report-7", annotationOwner, 0));
            assertThat(annotationOwner).isNotEqualTo("contender");
            // Released when the method returned.
            assertThat(store.holders).isEmpty();
        });
    }

    @Test
    void theClientLocksThroughTheStore() {
        runner.withPropertyValues("distributed-lock.stores.main.type=test-kv",
                "distributed-lock.stores.local.type=in-memory", "distributed-lock.default-store=main").run(context -> {
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    TestKvLockStore store = (TestKvLockStore) client.store("main");
                    assertThat(client.tryLock(new TryLockRequest("", "order-1", "alice", 30)).success()).isTrue();
                    assertThat(client.tryLock(new TryLockRequest("main", "order-1", "bob", 30)).success()).isFalse();
                    assertThat(client.unlock(new UnlockRequest("main", "order-1", "bob")).status())
                            .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
                    assertThat(client.unlock(new UnlockRequest("main", "order-1", "alice")).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(store.calls).extracting(Call::key).containsOnly("kvapp:order-1");
                    assertThat(client.store("local")).isInstanceOf(InMemoryLockStore.class);
                });
    }

    @Test
    void anUnknownTypeListsTheKnownTypesAsWrittenInConfiguration() {
        runner.withPropertyValues("distributed-lock.stores.main.type=mongo").run(context -> {
            InvalidLockConfigurationException failure = configurationFailure(context);
            assertThat(failure.getProperty()).isEqualTo("distributed-lock.stores.main.type");
            assertThat(failure.getMessage()).contains("'mongo'").contains("in-memory, test-kv")
                    .doesNotContain("IN_MEMORY").doesNotContain("TEST_KV");
        });
    }

    @Test
    void typeIdsAreMatchedAsLenientlyAsSpringBindsEnums() {
        for (String written : List.of("TEST_KV", "testKv", "Test-Kv", "test_kv")) {
            runner.withPropertyValues("distributed-lock.stores.main.type=" + written,
                    "distributed-lock.stores.main.test-kv.endpoint=kv://lenient").run(context -> {
                        assertThat(context).as(written).hasNotFailed();
                        TestKvLockStore store = (TestKvLockStore) context.getBean(DistributedLockClient.class)
                                .store("main");
                        assertThat(store.definition.properties().getEndpoint()).as(written).isEqualTo("kv://lenient");
                    });
        }
        for (String written : List.of("IN_MEMORY", "inMemory")) {
            runner.withPropertyValues("distributed-lock.stores.main.type=" + written).run(context ->
                    assertThat(context.getBean(DistributedLockClient.class).store("main")).as(written)
                            .isInstanceOf(InMemoryLockStore.class));
        }
    }

    @Test
    void aSettingThatDoesNotConvertFailsStartupNamingTheProperty() {
        runner.withPropertyValues("distributed-lock.stores.main.type=test-kv",
                "distributed-lock.stores.main.test-kv.timeout=abc").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("abc");
                    BindException bindFailure = findCause(context.getStartupFailure(), BindException.class);
                    assertThat(bindFailure.getName().toString())
                            .isEqualTo("distributed-lock.stores.main.test-kv.timeout");
                    assertThat(bindFailure.getProperty().getValue()).isEqualTo("abc");
                });
    }

    @Test
    void aStoreNameWithADotOrUpperCaseBindsItsSettings() {
        runner.withPropertyValues("distributed-lock.stores[orders.eu].type=test-kv",
                "distributed-lock.stores[orders.eu].test-kv.endpoint=kv://dotted",
                "distributed-lock.stores.OrdersUs.type=test-kv",
                "distributed-lock.stores.OrdersUs.test-kv.endpoint=kv://upper",
                "distributed-lock.stores.OrdersUs.test-kv.timeout=3s",
                "distributed-lock.stores[Jobs.Nightly].type=test-kv",
                "distributed-lock.stores[Jobs.Nightly].test-kv.endpoint=kv://both",
                "distributed-lock.stores[JobsEu].type=test-kv",
                "distributed-lock.stores[JobsEu].test-kv.endpoint=kv://bracketed",
                "distributed-lock.default-store=orders.eu").run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.storeNames()).containsExactlyInAnyOrder("orders.eu", "OrdersUs",
                            "Jobs.Nightly", "JobsEu");
                    assertThat(settings(client, "orders.eu").getEndpoint()).isEqualTo("kv://dotted");
                    assertThat(settings(client, "OrdersUs").getEndpoint()).isEqualTo("kv://upper");
                    assertThat(settings(client, "OrdersUs").getTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(settings(client, "Jobs.Nightly").getEndpoint()).isEqualTo("kv://both");
                    assertThat(settings(client, "JobsEu").getEndpoint()).isEqualTo("kv://bracketed");
                    // Error messages name the settings as they must be written.
                    assertThat(((TestKvLockStore) client.store("orders.eu")).definition.property("endpoint"))
                            .isEqualTo("distributed-lock.stores[orders.eu].test-kv.endpoint");
                    assertThat(((TestKvLockStore) client.store("orders.eu")).definition.typeProperty())
                            .isEqualTo("distributed-lock.stores[orders.eu].type");
                });
    }

    private static TestKvProperties settings(DistributedLockClient client, String store) {
        return ((TestKvLockStore) client.store(store)).definition.properties();
    }

    private static InvalidLockConfigurationException configurationFailure(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        return StartupFailures.invalidConfiguration(context.getStartupFailure());
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        throw new AssertionError("No " + type.getSimpleName() + " in the causes of " + failure, failure);
    }

    /** A bean with a locked method; runs {@code inside} while holding the lock and returns its answer. */
    static class Reports {

        @DistributedLock(key = "'report-' + #number", store = "main", expire = "10s")
        public <T> T build(int number, java.util.function.Supplier<T> inside) {
            return inside.get();
        }
    }

    /** The test type's auto-configuration, as a library would ship it (listed in its own imports file). */
    @AutoConfiguration
    static class TestKvAutoConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TestKvLockStoreFactory testKvLockStoreFactory() {
            return new TestKvLockStoreFactory();
        }
    }

    static class TestKvLockStoreFactory implements LockStoreFactory<TestKvProperties> {

        static final String TYPE = "test-kv";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Class<TestKvProperties> propertiesType() {
            return TestKvProperties.class;
        }

        @Override
        public LockStore create(LockStoreDefinition<TestKvProperties> definition) {
            return new TestKvLockStore(definition);
        }
    }

    /** Settings of a test-kv store, under {@code distributed-lock.stores.<name>.test-kv}. */
    public static class TestKvProperties {

        private String endpoint;
        private Duration timeout = Duration.ofSeconds(2);
        private List<String> replicas = new ArrayList<>();
        private final Retry retry = new Retry();

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public List<String> getReplicas() {
            return replicas;
        }

        public void setReplicas(List<String> replicas) {
            this.replicas = replicas;
        }

        public Retry getRetry() {
            return retry;
        }

        public static class Retry {

            private int maxAttempts = 3;

            public int getMaxAttempts() {
                return maxAttempts;
            }

            public void setMaxAttempts(int maxAttempts) {
                this.maxAttempts = maxAttempts;
            }
        }
    }

    record Call(String operation, String key, String owner, int expireSeconds) {
    }

    /** Holds leases in a map and records every call. Leases never run out here: the tests are shorter than them. */
    static class TestKvLockStore implements LockStore {

        final LockStoreDefinition<TestKvProperties> definition;
        final List<Call> calls = new ArrayList<>();
        final Map<String, String> holders = new HashMap<>();

        TestKvLockStore(LockStoreDefinition<TestKvProperties> definition) {
            this.definition = definition;
        }

        @Override
        public synchronized boolean tryLock(String key, String owner, int expireSeconds) {
            calls.add(new Call("tryLock", key, owner, expireSeconds));
            return holders.putIfAbsent(key, owner) == null;
        }

        @Override
        public synchronized LockStatus unlock(String key, String owner) {
            calls.add(new Call("unlock", key, owner, 0));
            String holder = holders.get(key);
            if (holder == null) {
                return LockStatus.LOCK_UNEXIST;
            }
            if (!holder.equals(owner)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            holders.remove(key);
            return LockStatus.SUCCESS;
        }

        @Override
        public synchronized LockStatus keepAlive(String key, String owner, int expireSeconds) {
            calls.add(new Call("keepAlive", key, owner, expireSeconds));
            String holder = holders.get(key);
            return holder == null ? LockStatus.LOCK_UNEXIST
                    : holder.equals(owner) ? LockStatus.SUCCESS : LockStatus.LOCK_BELONG_TO_OTHERS;
        }
    }
}
