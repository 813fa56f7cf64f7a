package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.CountingLockStore;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.RenewalLoad;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renewal on a real Redis: a call three times as long as its lease keeps the lock from a contender in another JVM,
 * and a thousand locks held at once are all renewed on time by the one watchdog.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RedisRenewalTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connection;
    private CountingLockStore store;
    private DistributedLockClient client;
    private LockTemplate locks;

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        connection = server.connectionFactory(Duration.ofSeconds(2));
        store = new CountingLockStore(new RedisLockStore(connection));
        client = new DistributedLockClient(Map.of("redis", store), "redis", LockKeyNamespace.of("renewal-test"));
        locks = new LockTemplate(client, new LockRecorders(LockMetrics.NOOP), Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
        if (locks != null) {
            locks.watchdog().close();
        }
        if (connection != null) {
            connection.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCallThreeTimesItsLeaseKeepsTheLockFromAContenderInAnotherJvmAllAlong() throws Exception {
        String key = client.key("nightly-report");
        ChildJvm.Contender contender = ChildJvm.contend(RedisLockStoreFaultTest.ChildStore.class,
                server.host() + ":" + server.port(), key, Duration.ofMillis(20));
        ChildJvm.ContentionResult[] seen = new ChildJvm.ContentionResult[1];
        long[] heldMillis = new long[1];
        locks.executeLocked("nightly-report", LockOptions.builder().expire(Duration.ofSeconds(2)).build(), lock -> {
            long start = System.nanoTime();
            contender.go();
            // Bounded: 6.5 s, over three leases of 2 s.
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(6500)) {
                assertThat(lock.isHeld()).isTrue();
                Thread.sleep(100);
            }
            heldMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            seen[0] = contender.stop();
            return null;
        });
        ChildJvm.ContentionResult result = seen[0];
        assertThat(heldMillis[0]).isGreaterThan(3 * 2000);
        assertThat(result.attempts()).as("TryLocks of the contender\n%s", result.output()).isGreaterThan(100);
        assertThat(result.errors()).as("store errors in the contender\n%s", result.output()).isZero();
        assertThat(result.grants()).as("grants to the contender while held\n%s", result.output()).isZero();
        assertThat(store.renewalsOf(key).count()).as("renewals, every third of 2 s").isGreaterThanOrEqualTo(8);
        // The contender could have taken it: free now, and its TryLock is the very one it sent.
        assertThat(new RedisLockStore(connection).tryLock(key, "after", 1)).isTrue();
    }

    @Test
    void aThousandHeldLocksAreAllRenewedOnTimeByTheOneWatchdog() {
        RenewalLoad.Result result = RenewalLoad.run(locks, store, client, 1000, 3, Duration.ofMillis(4500));
        System.out.println("Redis: " + result);
        result.assertNoRenewalMissed();
    }
}
