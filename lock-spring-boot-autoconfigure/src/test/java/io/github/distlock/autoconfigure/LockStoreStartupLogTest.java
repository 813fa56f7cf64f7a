package io.github.distlock.autoconfigure;

import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.github.distlock.store.etcd.EtcdLockStoreAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.TestServers;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an application logs about its lock stores at startup: one INFO line per store, one WARN for a store whose
 * server does not answer (without delaying startup), and not the ZooKeeper client's chatter.
 */
@ExtendWith(OutputCaptureExtension.class)
class LockStoreStartupLogTest {

    @Test
    void oneInfoLinePerStoreAndOneWarnForAStoreThatDoesNotAnswerWithoutDelayingStartup(CapturedOutput output)
            throws Exception {
        try (RedisTestServer redis = RedisTestServer.start()) {
            int deadPort = TestServers.freePort();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                            RedisLockStoreAutoConfiguration.class, EtcdLockStoreAutoConfiguration.class))
                    .withPropertyValues("spring.data.redis.host=" + redis.host(),
                            "spring.data.redis.port=" + redis.port(), "distributed-lock.default-store=orders",
                            "distributed-lock.stores.orders.type=redis", "distributed-lock.stores.local.type=in-memory",
                            "distributed-lock.stores.dead.type=etcd",
                            "distributed-lock.stores.dead.etcd.endpoints=http://127.0.0.1:" + deadPort,
                            "distributed-lock.stores.dead.etcd.request-timeout=8s")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        // The check of 'dead' takes its request timeout, 8 s; startup did not wait for it.
                        assertThat(output.toString()).as("startup waited for no check")
                                .doesNotContain("did not answer at startup");
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while (!output.toString().contains("did not answer at startup")
                                && System.nanoTime() < deadline) {
                            Thread.sleep(50);
                        }
                    });
            String log = output.toString();
            assertThat(lines(log, "Lock store 'orders' (default): type=redis, address=redis://" + redis.host() + ":"
                    + redis.port() + "/0, operationTimeout=PT3S")).isEqualTo(1);
            // No spring.application.name: keys get no prefix, and the line says so.
            assertThat(lines(log, "Lock store 'local': type=in-memory, address=this JVM, heldLocks=0, keyPrefix=none"))
                    .isEqualTo(1);
            assertThat(lines(log, "Lock store 'dead': type=etcd, address=http://127.0.0.1:" + deadPort)).isEqualTo(1);
            assertThat(lines(log, "WARN  [distlock-startup-check]")).as(log).isEqualTo(1);
            assertThat(lines(log, "Lock store 'dead' (etcd at http://127.0.0.1:" + deadPort + ") did not answer at "
                    + "startup; locking through it fails with LockStoreException until it does.")).isEqualTo(1);
        }
    }

    @Test
    void theImplicitStoreSaysWhyItExists(CapturedOutput output) throws Exception {
        try (RedisTestServer redis = RedisTestServer.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                            RedisLockStoreAutoConfiguration.class))
                    .withPropertyValues("spring.data.redis.host=" + redis.host(),
                            "spring.data.redis.port=" + redis.port(), "spring.application.name=orders:eu")
                    .run(context -> assertThat(context).hasNotFailed());
            assertThat(lines(output.toString(), "Lock store 'redis' (default, made because distributed-lock.stores "
                    + "is empty): type=redis")).isEqualTo(1);
            // The prefix as stored: ':' in the application's name is encoded.
            assertThat(lines(output.toString(), "operationTimeout=PT3S, keyPrefix=orders%3Aeu:")).isEqualTo(1);
        }
    }

    @Test
    void theZooKeeperClientsStartupChatterIsQuietUnlessTheApplicationAsksForIt(CapturedOutput output)
            throws Exception {
        try (ZooKeeperTestServer zookeeper = ZooKeeperTestServer.start()) {
            runApplication(zookeeper.connectString());
            String quiet = output.toString();
            assertThat(quiet).contains("Lock store 'locks' (default): type=zookeeper, address="
                    + zookeeper.connectString());
            // The client environment (classpath included) is logged once per JVM, by org.apache.zookeeper.ZooKeeper.
            assertThat(lines(quiet, "INFO  [org.apache.zookeeper")).as(quiet).isZero();
            assertThat(lines(quiet, "INFO  [org.apache.curator")).as(quiet)
                    .isEqualTo(lines(quiet, "INFO  [org.apache.curator.framework.state.ConnectionStateManager]"));

            runApplication(zookeeper.connectString(), "--logging.level.org.apache.zookeeper=INFO");
            assertThat(output.toString().substring(quiet.length())).as("the application's level wins")
                    .contains("INFO  [org.apache.zookeeper.ZooKeeper] Initiating client connection");
        }
    }

    /** Puts back the tests' own logging configuration, which the applications above replaced. */
    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.reset();
        new ContextInitializer(logging).autoConfig();
    }

    private static void runApplication(String connectString, String... arguments) {
        List<String> args = new java.util.ArrayList<>(List.of("--logging.config=classpath:logback-info.xml",
                "--distributed-lock.stores.locks.type=zookeeper",
                "--distributed-lock.stores.locks.zookeeper.connect-string=" + connectString));
        args.addAll(List.of(arguments));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ZooKeeperApplication.class)
                .web(WebApplicationType.NONE).run(args.toArray(String[]::new))) {
            assertThat(context.isRunning()).isTrue();
        }
    }

    private static long lines(String log, String fragment) {
        return log.lines().filter(line -> line.contains(fragment)).count();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
            ZooKeeperLockStoreAutoConfiguration.class})
    static class ZooKeeperApplication {
    }
}
