package io.github.distlock.store.redis;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.StartupFailures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockStoreAutoConfigurationTest {

    private RedisTestServer server;
    private ApplicationContextRunner runner;

    @BeforeAll
    void startServer() {
        server = RedisTestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
                        DistributedLockHealthAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=" + server.host(),
                        "spring.data.redis.port=" + server.port(), "spring.data.redis.timeout=2s",
                        "distributed-lock.key-prefix=none");
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withoutStoresTheApplicationsRedisIsTheImplicitStore() {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.storeNames()).containsExactly("redis");
            assertThat(client.store("redis")).isInstanceOf(RedisLockStore.class);
            assertLocks(client, "redis");
        });
    }

    @Test
    void aNamedRedisStoreUsesTheConnectionFactory() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.storeNames()).containsExactly("orders");
            assertLocks(client, "orders");
        });
    }

    @Test
    void aStoreCanNameOneOfSeveralConnectionFactories() {
        runner.withUserConfiguration(TwoConnectionFactories.class)
                .withPropertyValues("distributed-lock.stores.orders.type=redis",
                        "distributed-lock.stores.orders.redis.connection-factory=lockRedis")
                .run(context -> assertLocks(context.getBean(DistributedLockClient.class), "orders"));
    }

    @Test
    void anUnknownConnectionFactoryNameIsAConfigurationError() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis",
                "distributed-lock.stores.orders.redis.connection-factory=nope").run(context -> {
            InvalidLockConfigurationException error = configurationError(context);
            assertThat(error.getProperty()).isEqualTo("distributed-lock.stores.orders.redis.connection-factory");
            assertThat(error.getMessage()).contains("'nope'").contains("redisConnectionFactory");
        });
    }

    @Test
    void aNegativeFencingTokenRetentionIsAConfigurationError() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis",
                "distributed-lock.stores.orders.redis.fencing-token-retention=-1s").run(context -> {
            InvalidLockConfigurationException error = configurationError(context);
            assertThat(error.getProperty()).isEqualTo("distributed-lock.stores.orders.redis.fencing-token-retention");
            assertThat(error.getMessage()).contains("-1S");
        });
    }

    @Test
    void theFencingTokenRetentionIsHowLongAnUnlockedKeyStays() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis",
                "distributed-lock.stores.orders.redis.fencing-token-retention=0").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            String resource = "retention-" + java.util.UUID.randomUUID();
            assertThat(client.tryLock(new TryLockRequest("orders", resource, "a", 30)).success()).isTrue();
            try (RedisConnection connection = context.getBean(RedisConnectionFactory.class).getConnection()) {
                byte[] key = resource.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                assertThat(connection.keyCommands().exists(key)).as("the held lock's key").isTrue();
                assertThat(client.unlock(new UnlockRequest("orders", resource, "a")).status())
                        .isEqualTo(LockStatus.SUCCESS);
                assertThat(connection.keyCommands().exists(key)).as("the key after the unlock").isFalse();
            }
        });
    }

    @Test
    void severalConnectionFactoriesWithoutANameIsAConfigurationError() {
        runner.withUserConfiguration(TwoConnectionFactories.class)
                .withPropertyValues("distributed-lock.stores.orders.type=redis").run(context -> {
                    InvalidLockConfigurationException error = configurationError(context);
                    assertThat(error.getProperty())
                            .isEqualTo("distributed-lock.stores.orders.redis.connection-factory");
                    assertThat(error.getMessage()).contains("lockRedis").contains("cacheRedis");
                });
    }

    @Test
    void aRedisStoreWithoutSpringDataRedisConfiguredIsAConfigurationError() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class,
                        RedisLockStoreAutoConfiguration.class))
                .withPropertyValues("distributed-lock.stores.orders.type=redis").run(context -> {
                    InvalidLockConfigurationException error = configurationError(context);
                    assertThat(error.getProperty())
                            .isEqualTo("distributed-lock.stores.orders.redis.connection-factory");
                    assertThat(error.getMessage()).contains("spring-boot-starter-data-redis");
                });
    }

    @Test
    void everyStoreIsAnEntryOfTheOneHealthComponent() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis",
                "distributed-lock.stores.jobs.type=redis", "distributed-lock.stores.local.type=in-memory",
                "distributed-lock.default-store=orders").run(context -> {
                    CompositeHealthContributor health = context.getBean("distributedLockHealthContributor",
                            CompositeHealthContributor.class);
                    assertThat(health.stream().map(CompositeHealthContributor.Entry::name))
                            .containsExactly("orders", "jobs", "local");
                    HealthIndicator orders = (HealthIndicator) health.getContributor("orders");
                    assertThat(orders.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(orders.health().getDetails()).containsEntry("type", "redis")
                            .containsEntry("address", "redis://" + server.host() + ":" + server.port() + "/0")
                            .containsEntry("operationTimeout", java.time.Duration.ofSeconds(3));
                    assertThat(context).doesNotHaveBean("distributedLockRedisHealthContributor");
                });
    }

    @Test
    void theOldPerTypeSwitchLeavesRedisStoresOutAndTheNewOneTheComponent() {
        runner.withPropertyValues("management.health.distributed-lock-redis.enabled=false",
                "distributed-lock.stores.orders.type=redis", "distributed-lock.stores.local.type=in-memory",
                "distributed-lock.default-store=orders")
                .run(context -> assertThat(context.getBean("distributedLockHealthContributor",
                        CompositeHealthContributor.class).stream().map(CompositeHealthContributor.Entry::name))
                        .containsExactly("local"));
        runner.withPropertyValues("management.health.distributed-lock.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("distributedLockHealthContributor"));
    }

    @Test
    void aNonPositiveOperationTimeoutNamesTheProperty() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=redis",
                "distributed-lock.stores.orders.redis.operation-timeout=0s").run(context -> {
                    InvalidLockConfigurationException error = configurationError(context);
                    assertThat(error.getProperty()).isEqualTo("distributed-lock.stores.orders.redis.operation-timeout");
                    assertThat(error.getMessage()).contains("'PT0S' is not a positive duration");
                });
    }

    private static void assertLocks(DistributedLockClient client, String store) {
        String resource = "autoconfig-" + java.util.UUID.randomUUID();
        assertThat(client.tryLock(new TryLockRequest(store, resource, "a", 30)).success()).isTrue();
        assertThat(client.tryLock(new TryLockRequest(store, resource, "b", 30)).success()).isFalse();
        assertThat(client.unlock(new UnlockRequest(store, resource, "a")).status()).isEqualTo(LockStatus.SUCCESS);
    }

    private static InvalidLockConfigurationException configurationError(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        return StartupFailures.invalidConfiguration(context.getStartupFailure());
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoConnectionFactories {

        @Bean
        LettuceConnectionFactory lockRedis(org.springframework.core.env.Environment environment) {
            return factory(environment);
        }

        @Bean
        LettuceConnectionFactory cacheRedis(org.springframework.core.env.Environment environment) {
            return factory(environment);
        }

        private static LettuceConnectionFactory factory(org.springframework.core.env.Environment environment) {
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                    environment.getRequiredProperty("spring.data.redis.host"),
                    environment.getRequiredProperty("spring.data.redis.port", Integer.class)));
        }
    }
}
