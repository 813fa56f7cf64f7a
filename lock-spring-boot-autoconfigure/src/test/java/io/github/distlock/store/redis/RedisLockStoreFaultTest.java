package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults with a real Redis child process: outage and recovery, a crashed holder, and two processes contending. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockStoreFaultTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private RedisTestServer server;

    @BeforeAll
    void startServer() {
        server = RedisTestServer.startLocalProcess();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void whileRedisIsDownLocksFailWithinTheTimeoutAndMethodsDoNotRunThenTheAppRecoversByItself() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
                        DistributedLockHealthAutoConfiguration.class))
                .withUserConfiguration(JobsConfiguration.class)
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
                        "spring.data.redis.timeout=" + COMMAND_TIMEOUT.toMillis() + "ms",
                        "distributed-lock.stores.main.type=redis",
                        "distributed-lock.stores.main.redis.operation-timeout=" + COMMAND_TIMEOUT.toMillis() + "ms")
                .run(context -> {
                    Jobs jobs = context.getBean(Jobs.class);
                    assertThat(org.springframework.aop.support.AopUtils.isAopProxy(jobs)).as("proxied").isTrue();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    HealthIndicator health = (HealthIndicator) context.getBean(
                            "distributedLockHealthContributor", CompositeHealthContributor.class)
                            .getContributor("main");
                    jobs.run();
                    assertThat(jobs.runs()).hasValue(1);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

                    server.stop();
                    try {
                        long start = System.nanoTime();
                        assertThatThrownBy(jobs::run).isInstanceOf(LockStoreException.class)
                                .hasMessageContaining("'main'");
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail")
                                .isLessThan(COMMAND_TIMEOUT.plusMillis(1500));
                        assertThat(jobs.runs()).as("the method did not run without its lock").hasValue(1);
                        // A TryLock that timed out must not be sent once Redis is back (Lettuce queues commands
                        // while disconnected): its owner was told it failed and would never unlock it.
                        assertThatThrownBy(() -> client.tryLock(new TryLockRequest("main", "outage", "lost", 60)))
                                .isInstanceOf(LockStoreException.class);
                        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                    } finally {
                        server.restart();
                    }

                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (true) {
                        try {
                            jobs.run();
                            break;
                        } catch (LockStoreException e) {
                            assertThat(System.nanoTime()).as("recovered within 30s: %s", e).isLessThan(deadline);
                            Thread.sleep(200);
                        }
                    }
                    assertThat(jobs.runs()).hasValue(2);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(client.tryLock(new TryLockRequest("main", "outage", "next", 60)).success())
                            .as("the TryLock that timed out during the outage was not replayed").isTrue();
                });
    }

    @Test
    void aHolderKilledWithSigkillKeepsItsLockUntilTheLeaseEndsThenAnotherProcessGetsIt() throws Exception {
        int expire = 4;
        String key = "killed-holder-" + UUID.randomUUID();
        LockStore store = new ChildStore().create(address());
        Process holder = ChildJvm.holdLock(ChildStore.class, address(), key, expire);
        long seenLocked = System.nanoTime();
        ChildJvm.kill9(holder);
        assertThat(store.tryLock(key, "survivor", expire)).as("a crash does not release the lock").isFalse();
        long deadline = seenLocked + TimeUnit.SECONDS.toNanos(expire + 5);
        long acquired = 0;
        while (System.nanoTime() < deadline) {
            if (store.tryLock(key, "survivor", 60)) {
                acquired = System.nanoTime();
                break;
            }
            Thread.sleep(50);
        }
        assertThat(acquired).as("acquired after the lease").isNotZero();
        // The child took the lock shortly before we saw it say so (it is polled every 20 ms).
        assertThat(Duration.ofNanos(acquired - seenLocked))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(expire).minusMillis(300))
                .isLessThanOrEqualTo(Duration.ofSeconds(expire).plusSeconds(1));
    }

    @Test
    void twoProcessesOfEightThreadsNeverHoldAKeyAtOnce() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(ChildStore.class, address(), 2, 8, 300,
                Duration.ofSeconds(6), 3);
        assertThat(result.grants()).as("grants\n%s", result.output()).isGreaterThan(100);
        assertThat(result.counted()).as("increments: none lost to overlapping holders").isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).isZero();
    }

    private String address() {
        return server.host() + ":" + server.port();
    }

    /** The store in a child JVM: a Lettuce connection factory on {@code host:port}. */
    public static class ChildStore implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String address) {
            int colon = address.lastIndexOf(':');
            LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                    address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
            factory.afterPropertiesSet();
            factory.start();
            return new RedisLockStore(factory);
        }
    }

    public static class Jobs {
        private final AtomicInteger runs = new AtomicInteger();

        @DistributedLock(expire = "30s")
        public void run() {
            runs.incrementAndGet();
        }

        public AtomicInteger runs() {
            return runs;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class JobsConfiguration {
        @Bean
        Jobs jobs() {
            return new Jobs();
        }
    }
}
