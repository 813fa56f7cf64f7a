package io.github.distlock.health;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock stores as one health component, {@code distributedLock}, one entry per store of any type, and what it
 * logs while a store is down.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LockStoresHealthTest {

    private RedisTestServer redis;
    private PausableTcpProxy proxy;

    @BeforeAll
    void start() throws Exception {
        redis = RedisTestServer.start();
        proxy = new PausableTcpProxy(redis.host(), redis.port());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                        RedisLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + proxy.port(),
                        "distributed-lock.stores.orders.type=redis",
                        "distributed-lock.stores.orders.redis.operation-timeout=500ms",
                        "distributed-lock.stores.local.type=in-memory", "distributed-lock.default-store=orders",
                        "distributed-lock.startup-check-timeout=0s");
    }

    @Test
    void oneComponentWithAnEntryPerStoreWhateverItsType() {
        runner().withBean("custom", LockStore.class, InMemoryLockStore::new).run(context -> {
            assertThat(context).doesNotHaveBean("distributedLockRedisHealthContributor");
            CompositeHealthContributor component = context.getBean("distributedLockHealthContributor",
                    CompositeHealthContributor.class);
            assertThat(component.stream().map(CompositeHealthContributor.Entry::name))
                    .containsExactly("orders", "local", "custom");

            Health orders = entry(component, "orders").health(true);
            assertThat(orders.getStatus()).isEqualTo(Status.UP);
            assertThat(orders.getDetails()).containsEntry("type", "redis")
                    .containsEntry("address", "redis://127.0.0.1:" + proxy.port() + "/0");
            Health local = entry(component, "local").health(true);
            assertThat(local.getStatus()).isEqualTo(Status.UP);
            assertThat(local.getDetails()).containsEntry("type", "in-memory").containsEntry("heldLocks", 0);
            Health custom = entry(component, "custom").health(true);
            assertThat(custom.getStatus()).as("an application's bean has no check").isEqualTo(Status.UNKNOWN);
            assertThat(custom.getDetails()).containsEntry("type", "bean " + InMemoryLockStore.class.getName());
        });
    }

    @Test
    void aStoreThatStopsAnsweringIsDownWithinItsTimeoutAndLogsOneLinePerChangeOfState(CapturedOutput output) {
        runner().run(context -> {
            HealthIndicator orders = entry(context.getBean("distributedLockHealthContributor",
                    CompositeHealthContributor.class), "orders");
            assertThat(orders.health().getStatus()).isEqualTo(Status.UP);
            proxy.pause();
            try {
                for (int probe = 0; probe < 3; probe++) {
                    long start = System.nanoTime();
                    Health health = orders.health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails().get("error").toString()).contains("'orders'");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
                }
            } finally {
                proxy.resume();
            }
            assertThat(orders.health().getStatus()).isEqualTo(Status.UP);
            assertThat(orders.health().getStatus()).isEqualTo(Status.UP);
        });
        assertThat(count(output, "WARN .*Lock store 'orders' \\(redis at redis://127\\.0\\.0\\.1:\\d+/0\\) is DOWN: "))
                .as("one WARN for three probes while down\n%s", output).isEqualTo(1);
        assertThat(count(output, "INFO .*Lock store 'orders' .* is UP again")).isEqualTo(1);
        assertThat(output.toString()).as("no stack traces").doesNotContain("\tat ");
    }

    private static HealthIndicator entry(CompositeHealthContributor component, String name) {
        return (HealthIndicator) component.getContributor(name);
    }

    private static int count(CapturedOutput output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output.toString());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
