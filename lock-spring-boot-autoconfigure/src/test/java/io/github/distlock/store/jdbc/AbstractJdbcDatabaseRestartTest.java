package io.github.distlock.store.jdbc;

import java.time.Duration;
import java.util.UUID;

import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.JdbcTestServer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The database restarted under a running application (Spring Boot's DataSource and the jdbc store): lock calls
 * fail with {@link LockStoreException} within the operation timeout while it is down (a wait for a release returns
 * without an error), health is DOWN, and
 * afterwards locking works again without restarting the application; a lock taken before the outage is still
 * held after it (the table is durable).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcDatabaseRestartTest {

    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);

    private JdbcTestServer server;

    /** A server of this test's own, which it stops and restarts. */
    protected abstract JdbcTestServer startServer();

    @BeforeAll
    void start() {
        server = startServer();
    }

    @AfterAll
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void whileTheDatabaseIsDownLockCallsFailAndAfterItsRestartTheyWorkAgain() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                        JdbcLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + server.jdbcUrl(),
                        "spring.datasource.username=" + server.username(),
                        "spring.datasource.password=" + server.password(),
                        "spring.datasource.hikari.connection-timeout=1000",
                        "spring.datasource.hikari.maximum-pool-size=5",
                        "distributed-lock.stores.main.type=jdbc",
                        "distributed-lock.stores.main.jdbc.create-table=true",
                        "distributed-lock.stores.main.jdbc.operation-timeout=" + OPERATION_TIMEOUT.toMillis() + "ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    HealthIndicator health = (HealthIndicator) context.getBean("distributedLockHealthContributor",
                            CompositeHealthContributor.class).getContributor("main");
                    JdbcLockStore store = (JdbcLockStore) client.store("main");
                    String held = "held-" + UUID.randomUUID();
                    assertThat(client.tryLock(new TryLockRequest("main", held, "owner", 120)).success()).isTrue();
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

                    server.stop();
                    try {
                        String during = "during-" + UUID.randomUUID();
                        failsQuickly(() -> client.tryLock(new TryLockRequest("main", during, "o", 60)),
                                LockStoreException.class);
                        failsQuickly(() -> client.unlock(new UnlockRequest("main", held, "owner")),
                                LockStoreException.class);
                        failsQuickly(() -> client.keepAlive(new LockKeepAliveRequest("main", held, "owner", 120)),
                                LockStoreException.class);
                        // A wait is only a hint: it does not throw, it sleeps the poll interval, and the caller's
                        // next TryLock reports the outage.
                        long start = System.nanoTime();
                        store.awaitRelease(client.key(held), Duration.ofSeconds(30));
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("wait while down")
                                .isLessThan(OPERATION_TIMEOUT.plusSeconds(2));
                        Health down = health.health();
                        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(down.getDetails().get("error").toString()).contains("'main'");
                    } finally {
                        server.restart();
                    }

                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreException(
                            LockStoreException.class).until(() -> client.tryLock(new TryLockRequest("main",
                            "after-" + UUID.randomUUID(), "o", 60)).success());
                    assertThat(client.tryLock(new TryLockRequest("main", held, "other", 60)).success())
                            .as("the lock taken before the outage is still held").isFalse();
                    assertThat(client.unlock(new UnlockRequest("main", held, "owner")).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    if (store.notifying()) {
                        await().atMost(Duration.ofSeconds(20)).until(store::listening);
                        assertThat(health.health().getDetails()).containsEntry("releaseNotifications", "listening");
                    }
                });
    }

    /** {@code call} fails with {@code failure} within the operation timeout and a margin. */
    private static void failsQuickly(ThrowingCallable call, Class<? extends RuntimeException> failure) {
        long start = System.nanoTime();
        assertThatThrownBy(call).isInstanceOf(failure);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail")
                .isLessThan(OPERATION_TIMEOUT.plusSeconds(2));
    }
}
