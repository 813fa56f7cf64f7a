package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The quick start's set-up (no spring.data.redis.timeout, so Lettuce's command timeout is its default 60 s) against
 * a Redis that stops answering: a locked call fails within the store's operation timeout, not after a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockStoreOperationTimeoutTest {

    private RedisTestServer server;
    private PausableTcpProxy proxy;

    @BeforeAll
    void start() throws Exception {
        server = RedisTestServer.start();
        proxy = new PausableTcpProxy(server.host(), server.port());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                        RedisLockStoreAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + proxy.port(),
                        "distributed-lock.stores.orders.type=redis");
    }

    @Test
    void aLockedCallFailsWithinTheOperationTimeoutWhenRedisStopsAnswering() {
        runner().withPropertyValues("distributed-lock.stores.orders.redis.operation-timeout=700ms").run(context -> {
            LockTemplate locks = context.getBean(LockTemplate.class);
            String ran = locks.executeLocked("order:1", LockOptions.tryOnce(), lock -> "ran");
            assertThat(ran).isEqualTo("ran");
            assertThat(context.getBean(LettuceConnectionFactory.class).getTimeout())
                    .as("the application's own command timeout is untouched").isEqualTo(60_000);

            proxy.pause();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> locks.executeLocked("order:2", LockOptions.tryOnce(), lock -> "ran"))
                        .isInstanceOf(LockStoreException.class).hasMessageContaining("'orders'");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofMillis(2500));
            } finally {
                proxy.resume();
            }
        });
    }

    @Test
    void theOperationTimeoutDefaultsToThreeSeconds() {
        runner().run(context -> {
            RedisLockStoreFactory factory = context.getBean(RedisLockStoreFactory.class);
            RedisLockStore store = (RedisLockStore) context.getBean(io.github.distlock.core.LockStoreRegistry.class)
                    .stores().get("orders");
            assertThat(factory.describe(store)).containsEntry("operationTimeout", Duration.ofSeconds(3));
        });
    }
}
