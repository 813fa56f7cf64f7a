package io.github.distlock.autoconfigure;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.store.etcd.EtcdLockStoreAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreAutoConfiguration;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The field report: a {@code @Scheduled @DistributedLock} job that still runs when the application context closes
 * (the scheduler awaiting termination) could not Unlock on Redis, whose connection factory had already stopped, and
 * its lock stayed for the rest of its lease. On every store, and for work in the scheduler and in the {@code @Async}
 * executor, the lock must be released when the work ends, however long after the close began.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ShutdownReleasesLocksTest {

    /** How long the locked work still runs after the context starts closing. */
    private static final long WORK_MILLIS = 1500;

    enum Store { IN_MEMORY, REDIS, ZOOKEEPER, ETCD }

    enum Work { SCHEDULED, ASYNC }

    private RedisTestServer redis;
    private ZooKeeperTestServer zooKeeper;
    private EtcdTestServer etcd;

    @BeforeAll
    void startServers() {
        redis = RedisTestServer.start();
        zooKeeper = ZooKeeperTestServer.start();
        etcd = EtcdTestServer.shared();
    }

    @AfterAll
    void stopServers() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    @ParameterizedTest(name = "{0} store, {1} work")
    @EnumSource(Store.class)
    void scheduledWorkReleasesItsLockAfterTheContextStartedClosing(Store store, CapturedOutput output) {
        assertReleasedOnClose(store, Work.SCHEDULED, output);
    }

    @ParameterizedTest(name = "{0} store, {1} work")
    @EnumSource(Store.class)
    void asyncWorkReleasesItsLockAfterTheContextStartedClosing(Store store, CapturedOutput output) {
        assertReleasedOnClose(store, Work.ASYNC, output);
    }

    private void assertReleasedOnClose(Store store, Work work, CapturedOutput output) {
        String key = "shutdown-" + work.name().toLowerCase() + "-" + System.nanoTime();
        runner(store).withUserConfiguration(work == Work.SCHEDULED ? ScheduledJob.class : AsyncJob.class)
                .withPropertyValues("job.key=" + key)
                .run(context -> {
                    LockedJob job = context.getBean(LockedJob.class);
                    if (work == Work.ASYNC) {
                        context.getBean(AsyncCaller.class).start(job);
                    }
                    assertThat(job.awaitStarted()).as("the job started").isTrue();
                    context.close();
                    assertThat(job.finished()).as("the close awaited the job").isTrue();
                });
        assertThat(output).doesNotContain("could not be released");
        runner(store).run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            if (store != Store.IN_MEMORY) {
                assertThat(client.tryLock(new TryLockRequest("", key, "next-instance", 5)).success())
                        .as("the job's lock was released, not left until its lease ends").isTrue();
            }
        });
    }

    private ApplicationContextRunner runner(Store store) {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class, DataRedisAutoConfiguration.class,
                        RedisLockStoreAutoConfiguration.class, ZooKeeperLockStoreAutoConfiguration.class,
                        EtcdLockStoreAutoConfiguration.class, TaskSchedulingAutoConfiguration.class,
                        TaskExecutionAutoConfiguration.class))
                .withPropertyValues("distributed-lock.key-prefix=none",
                        "spring.task.scheduling.shutdown.await-termination=true",
                        "spring.task.scheduling.shutdown.await-termination-period=10s",
                        "spring.task.execution.shutdown.await-termination=true",
                        "spring.task.execution.shutdown.await-termination-period=10s",
                        "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                        "spring.data.redis.timeout=2s");
        List<String> storeProperties = switch (store) {
            case IN_MEMORY -> List.of("distributed-lock.stores.main.type=in-memory");
            case REDIS -> List.of("distributed-lock.stores.main.type=redis");
            case ZOOKEEPER -> List.of("distributed-lock.stores.main.type=zookeeper",
                    "distributed-lock.stores.main.zookeeper.connect-string=" + zooKeeper.connectString());
            case ETCD -> List.of("distributed-lock.stores.main.type=etcd",
                    "distributed-lock.stores.main.etcd.endpoints=" + etcd.endpoint());
        };
        return runner.withPropertyValues(storeProperties.toArray(String[]::new));
    }

    /** Locked work that takes {@link #WORK_MILLIS}; it signals when it holds the lock and when it is done. */
    static class LockedJob {

        private final CountDownLatch started = new CountDownLatch(1);
        private volatile boolean finished;

        // Read through methods: the bean is a CGLIB proxy, whose own fields are never set.
        public boolean awaitStarted() throws InterruptedException {
            return started.await(10, TimeUnit.SECONDS);
        }

        public boolean finished() {
            return finished;
        }

        @DistributedLock(key = "@jobKey", expire = "60s")
        public void run() throws InterruptedException {
            started.countDown();
            Thread.sleep(WORK_MILLIS);
            finished = true;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class ScheduledJob {

        @Bean
        LockedJob lockedJob() {
            return new LockedJob();
        }

        @Bean
        String jobKey(Environment environment) {
            return environment.getRequiredProperty("job.key");
        }

        @Bean
        Ticker ticker(LockedJob job) {
            return new Ticker(job);
        }
    }

    /** Runs the job once, at once, from the scheduler. */
    static class Ticker {

        private final LockedJob job;
        private final AtomicBoolean ran = new AtomicBoolean();

        Ticker(LockedJob job) {
            this.job = job;
        }

        @Scheduled(initialDelay = 0, fixedDelay = 3_600_000)
        public void tick() throws InterruptedException {
            if (ran.compareAndSet(false, true)) {
                job.run();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class AsyncJob {

        @Bean
        LockedJob lockedJob() {
            return new LockedJob();
        }

        @Bean
        String jobKey(Environment environment) {
            return environment.getRequiredProperty("job.key");
        }

        @Bean
        AsyncCaller asyncCaller() {
            return new AsyncCaller();
        }
    }

    /** Runs the job on the application's {@code @Async} executor. */
    static class AsyncCaller {

        @Async
        public void start(LockedJob job) throws InterruptedException {
            job.run();
        }
    }
}
