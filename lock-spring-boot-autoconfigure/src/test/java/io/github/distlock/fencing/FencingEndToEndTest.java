package io.github.distlock.fencing;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.redis.RedisLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scenario fencing tokens exist for, on a real Redis and two application instances: holder A is paused past its
 * lease (a latch stands for the GC pause), B takes the lock over and writes the row with its token; A resumes and its
 * write is refused; the row keeps B's write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FencingEndToEndTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connectionA;
    private LettuceConnectionFactory connectionB;
    private JdbcClient jdbc;

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        connectionA = server.connectionFactory(Duration.ofSeconds(5));
        connectionB = server.connectionFactory(Duration.ofSeconds(5));
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("CREATE TABLE ledger (id BIGINT PRIMARY KEY, written_by VARCHAR(10), fence BIGINT)").update();
        jdbc.sql("INSERT INTO ledger (id) VALUES (1)").update();
    }

    @AfterAll
    void stop() {
        connectionA.destroy();
        connectionB.destroy();
        server.close();
    }

    @Test
    void aHolderPausedPastItsLeaseCannotOverwriteTheNextHoldersWrite() throws Exception {
        LockTemplate instanceA = template(connectionA);
        LockTemplate instanceB = template(connectionB);
        FencedRowUpdate ledger = FencedRowUpdate.of(jdbc, "ledger", "id", "fence");
        String resource = "ledger-" + UUID.randomUUID();
        CountDownLatch aHolds = new CountDownLatch(1);
        CountDownLatch bWrote = new CountDownLatch(1);

        CompletableFuture<Throwable> writeOfA = CompletableFuture.supplyAsync(() -> {
            try {
                // No renewal: a paused JVM renews nothing, so its lease runs out while it is paused.
                return instanceA.executeLocked(resource, LockOptions.builder().expire(Duration.ofSeconds(1))
                                .renewal(false).build(),
                        lock -> {
                            aHolds.countDown();
                            // The pause: A does not run until B has taken over and written.
                            assertThat(bWrote.await(15, TimeUnit.SECONDS)).as("B wrote").isTrue();
                            try {
                                ledger.update(CurrentLock.get().orElseThrow(), 1L, Map.of("written_by", "A"));
                                return null;
                            } catch (StaleFencingTokenException e) {
                                return e;
                            }
                        });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            }
        });
        assertThat(aHolds.await(10, TimeUnit.SECONDS)).isTrue();

        long tokenOfB;
        try (LockHandle lock = instanceB.acquire(resource, LockOptions.builder().expire(Duration.ofSeconds(30))
                .waitTime(Duration.ofSeconds(10)).build())) {
            tokenOfB = lock.fencingToken().orElseThrow();
            ledger.update(lock, 1L, Map.of("written_by", "B"));
            bWrote.countDown();
        }

        Throwable refusal = writeOfA.get(20, TimeUnit.SECONDS);
        assertThat(refusal).as("A's write after its lease ended").isInstanceOf(StaleFencingTokenException.class);
        StaleFencingTokenException stale = (StaleFencingTokenException) refusal;
        assertThat(stale.getCurrentToken()).isEqualTo(tokenOfB);
        assertThat(stale.getToken()).isLessThan(tokenOfB);
        assertThat(jdbc.sql("SELECT written_by, fence FROM ledger WHERE id = 1").query().singleRow())
                .containsEntry("WRITTEN_BY", "B").containsEntry("FENCE", tokenOfB);
        assertThatThrownBy(() -> ledger.update(stale.getToken(), 1L, Map.of("written_by", "A")))
                .as("and again").isInstanceOf(StaleFencingTokenException.class);
    }

    private static LockTemplate template(LettuceConnectionFactory connection) {
        return new LockTemplate(new DistributedLockClient(Map.of("redis", new RedisLockStore(connection)), "redis",
                LockKeyNamespace.of("fencing-test")));
    }
}
