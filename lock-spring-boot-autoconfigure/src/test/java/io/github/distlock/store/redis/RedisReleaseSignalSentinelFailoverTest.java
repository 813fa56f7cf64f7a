package io.github.distlock.store.redis;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.RedisTestSentinel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The release signal across a Sentinel failover: when the master dies the subscription is lost; Lettuce reconnects
 * its pub/sub connection through Sentinel to the promoted replica and subscribes again, and waiters are woken by
 * Unlocks on the new master as before, without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisReleaseSignalSentinelFailoverTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

    private RedisTestSentinel sentinel;
    private LettuceConnectionFactory storeFactory;
    private LettuceConnectionFactory holderFactory;

    @BeforeAll
    void startSentinel() {
        sentinel = RedisTestSentinel.startLocalProcesses(1, 3);
        storeFactory = sentinel.connectionFactory(COMMAND_TIMEOUT);
        holderFactory = sentinel.connectionFactory(COMMAND_TIMEOUT);
    }

    @AfterAll
    void stopSentinel() {
        if (storeFactory != null) {
            storeFactory.destroy();
            holderFactory.destroy();
        }
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Test
    void afterAFailoverTheSubscriptionIsOnThePromotedMasterAndWakesWaiters() throws Exception {
        try (RedisLockStore store = new RedisLockStore(storeFactory);
                RedisLockStore holder = new RedisLockStore(holderFactory)) {
            LettuceReleaseSubscription subscription = store.releaseSignal().subscription();
            store.awaitRelease("free-" + UUID.randomUUID(), Duration.ofSeconds(1)); // opens the subscription
            await().atMost(Duration.ofSeconds(5)).until(subscription::isLive);
            assertWokenByUnlock(store, holder);
            assertThat(subscription.isLive()).isTrue();

            InetSocketAddress oldMaster = sentinel.currentMaster();
            sentinel.killMaster();
            await().atMost(Duration.ofSeconds(5)).until(() -> !subscription.isLive());
            InetSocketAddress newMaster = sentinel.awaitFailover(oldMaster, FAILOVER_TIMEOUT);

            await().atMost(FAILOVER_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(subscription::isLive);
            assertThat(subscribers(newMaster)).as("subscribers on the promoted master %s", newMaster).isEqualTo(1);
            await().atMost(FAILOVER_TIMEOUT).ignoreExceptions()
                    .until(() -> holder.keepAlive("probe-" + UUID.randomUUID(), "nobody", 10) != null);
            assertWokenByUnlock(store, holder);
        }
    }

    /** A waiter in {@code store} on a key {@code holder} holds returns within 200 ms of the Unlock, with one watch. */
    private static void assertWokenByUnlock(RedisLockStore store, RedisLockStore holder) throws Exception {
        String key = "failover-" + UUID.randomUUID();
        assertThat(holder.tryLock(key, "holder", 60)).isTrue();
        long armsBefore = store.releaseSignal().armCount();
        AtomicBoolean returned = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                store.awaitRelease(key, Duration.ofSeconds(20));
                returned.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.releaseSignal().waiterCount() == 1);
        TimeUnit.MILLISECONDS.sleep(100);
        assertThat(returned).as("still held: still waiting").isFalse();
        long unlocked = System.nanoTime();
        assertThat(holder.unlock(key, "holder")).isEqualTo(LockStatus.SUCCESS);
        waiter.join(5000);
        assertThat(returned).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - unlocked)).as("from the Unlock to the waiter's return")
                .isLessThan(Duration.ofMillis(200));
        assertThat(store.releaseSignal().armCount() - armsBefore).as("watches armed").isEqualTo(1);
    }

    private static long subscribers(InetSocketAddress master) {
        RedisClient client = RedisClient.create(RedisURI.create(master.getHostString(), master.getPort()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().pubsubNumsub(RedisLockScript.RELEASE_CHANNEL).get(RedisLockScript.RELEASE_CHANNEL);
        } finally {
            client.shutdown();
        }
    }
}
