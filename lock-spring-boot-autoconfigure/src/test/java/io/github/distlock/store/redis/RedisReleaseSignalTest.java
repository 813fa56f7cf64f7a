package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.waiting.AbstractReleaseSignalTest;
import io.github.distlock.waiting.ReleaseWaiters;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis' release signal: Unlock publishes, the store's one subscription hears it. Losing the signal is
 * {@code CLIENT KILL TYPE pubsub} (Lettuce reconnects and subscribes again); an ACL that refuses the channel keeps it
 * lost, and the waiters poll.
 */
class RedisReleaseSignalTest extends AbstractReleaseSignalTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private RedisTestServer server;
    private LettuceConnectionFactory storeFactory;
    private LettuceConnectionFactory holderFactory;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> adminConnection;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        server = RedisTestServer.start();
        storeFactory = server.connectionFactory(COMMAND_TIMEOUT);
        return new RedisLockStore(storeFactory);
    }

    @Override
    protected LockStore createHolderStore() {
        holderFactory = server.connectionFactory(COMMAND_TIMEOUT);
        adminClient = RedisClient.create(RedisURI.create(server.host(), server.port()));
        adminConnection = adminClient.connect();
        return new RedisLockStore(holderFactory);
    }

    @Override
    protected ReleaseWaiters waiters() {
        return ((RedisLockStore) store()).releaseSignal().waiters();
    }

    @Override
    protected void loseSignal() {
        assertThat(admin().clientKill(KillArgs.Builder.typePubsub())).as("clients killed").isEqualTo(1L);
    }

    /** Whatever the waiters: one subscription to the channel, the store's, and nothing per key. */
    @Override
    protected void assertServerRegistrations(String key, boolean watching) throws InterruptedException {
        pollUntil(() -> subscribers() == 1, Duration.ofSeconds(5), "one subscriber to the release channel");
    }

    @AfterAll
    void stopServer() {
        adminConnection.close();
        adminClient.shutdown();
        storeFactory.destroy();
        holderFactory.destroy();
        server.close();
    }

    @Test
    void withoutTheChannelInItsAclTheStorePollsAndItsWaiterStillAcquires() throws Exception {
        String key = uniqueKey("acl-no-channel");
        String holder = newOwner();
        RedisLockStore holderStore = new RedisLockStore(holderFactory);
        assertThat(holderStore.tryLock(key, holder, LONG_EXPIRE)).isTrue();
        try {
            // Redis drops subscribers of channels their user may no longer use; Lettuce's re-subscription is refused.
            admin().aclSetuser("default", AclSetuserArgs.Builder.resetChannels());
            pollUntil(() -> !((RedisLockStore) store()).releaseSignal().subscription().isLive(), Duration.ofSeconds(5),
                    "the subscription lost");
            long armsBefore = waiters().armCount();
            long waitStart = System.nanoTime();
            Thread waiter = new Thread(() -> {
                try {
                    store().awaitRelease(key, Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            Thread.sleep(500);
            assertThat(waiter.isAlive()).as("still held: still waiting").isTrue();
            long polls = waiters().armCount() - armsBefore;
            assertThat(polls).as("reads of the key in 500 ms without the signal, every 25-50 ms").isBetween(8L, 25L);
            long unlocked = System.nanoTime();
            assertThat(holderStore.unlock(key, holder)).as("Unlock works though its publish is refused")
                    .isEqualTo(LockStatus.SUCCESS);
            waiter.join(5000);
            assertThat(waiter.isAlive()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - unlocked)).as("from the Unlock to the polling waiter's return")
                    .isLessThan(Duration.ofMillis(150));
            assertThat(Duration.ofNanos(unlocked - waitStart)).isGreaterThan(Duration.ofMillis(400));
        } finally {
            admin().aclSetuser("default", AclSetuserArgs.Builder.allChannels());
        }
        // The next wait subscribes again; from then on releases are heard.
        assertThat(holderStore.tryLock(key, holder, LONG_EXPIRE)).isTrue();
        long armsBefore = waiters().armCount();
        Thread waiter = new Thread(() -> {
            try {
                store().awaitRelease(key, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        pollUntil(() -> ((RedisLockStore) store()).releaseSignal().subscription().isLive(), Duration.ofSeconds(5),
                "subscribed again");
        Thread.sleep(300);
        long armed = waiters().armCount() - armsBefore;
        assertThat(armed).as("reads of the key: until subscribed again, then one").isLessThanOrEqualTo(3);
        long unlocked = System.nanoTime();
        assertThat(holderStore.unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
        waiter.join(5000);
        assertThat(Duration.ofNanos(System.nanoTime() - unlocked)).isLessThan(Duration.ofMillis(100));
        assertThat(waiters().armCount() - armsBefore).as("no reads while subscribed").isEqualTo(armed);
    }

    private long subscribers() {
        return admin().pubsubNumsub(RedisLockScript.RELEASE_CHANNEL).get(RedisLockScript.RELEASE_CHANNEL);
    }

    private RedisCommands<String, String> admin() {
        return adminConnection.sync();
    }
}
