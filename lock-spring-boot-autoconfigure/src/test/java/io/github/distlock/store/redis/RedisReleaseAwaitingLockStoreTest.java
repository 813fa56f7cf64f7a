package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
 * The release-awaiting capability on a standalone Redis, through Lettuce's shared connection: Unlock publishes, the
 * store's one subscription hears it. Losing the signal is {@code CLIENT KILL TYPE pubsub} (Lettuce reconnects and
 * subscribes again); an ACL that refuses the channel keeps it lost, and the waiters poll.
 */
class RedisReleaseAwaitingLockStoreTest extends AbstractReleaseSignalTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private RedisTestServer server;
    private LettuceConnectionFactory storeFactory;
    private LettuceConnectionFactory holderFactory;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> adminConnection;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        server = RedisTestServer.start();
        storeFactory = connect(server);
        return new RedisLockStore(storeFactory);
    }

    /** A started connection factory to {@code server}, for the store under test. */
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        return server.connectionFactory(COMMAND_TIMEOUT);
    }

    @Override
    protected LockStore createPeerStore() {
        holderFactory = server.connectionFactory(COMMAND_TIMEOUT);
        adminClient = RedisClient.create(RedisURI.create(server.host(), server.port()));
        adminConnection = adminClient.connect();
        return new RedisLockStore(holderFactory);
    }

    @Override
    protected ReleaseWaiters waiters() {
        return ((RedisLockStore) store()).releaseSignal();
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
        String holder = heldByPeer(key);
        LettuceReleaseSubscription subscription = ((RedisLockStore) store()).releaseSignal().subscription();
        try {
            // Redis drops subscribers of channels their user may no longer use; Lettuce's re-subscription is refused.
            admin().aclSetuser("default", AclSetuserArgs.Builder.resetChannels());
            pollUntil(() -> !subscription.isLive(), Duration.ofSeconds(5), "the subscription lost");
            long armsBefore = waiters().armCount();
            Waiter waiter = Waiter.start(store(), key, Duration.ofSeconds(20));
            assertThat(waiter.returned.await(500, TimeUnit.MILLISECONDS)).as("still held: still waiting").isFalse();
            // Every 25-50 ms, so 10-20 reads on an idle machine; a loaded one (or a connection per call) reads less
            // often, but a waiter that does not poll reads none.
            assertThat(waiters().armCount() - armsBefore).as("reads of the key in 500 ms without the signal, every "
                    + "25-50 ms").isBetween(3L, 21L);
            long unlocked = System.nanoTime();
            assertThat(peerStore().unlock(key, holder)).as("Unlock works though its publish is refused")
                    .isEqualTo(LockStatus.SUCCESS);
            assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).isTrue();
            waiter.assertNoFailure();
            assertThat(Duration.ofNanos(waiter.returnedAt.get() - unlocked)).as("from the Unlock to the polling "
                    + "waiter's return").isLessThan(Duration.ofMillis(150));
        } finally {
            admin().aclSetuser("default", AclSetuserArgs.Builder.allChannels());
        }
        // The next wait subscribes again; from then on releases are heard, without reading the key again.
        holder = heldByPeer(key);
        long armsBefore = waiters().armCount();
        Waiter waiter = Waiter.start(store(), key, Duration.ofSeconds(20));
        pollUntil(subscription::isLive, Duration.ofSeconds(5), "subscribed again");
        Thread.sleep(300);
        long armed = waiters().armCount() - armsBefore;
        assertThat(armed).as("reads of the key: until subscribed again, then one").isLessThanOrEqualTo(3);
        long unlocked = System.nanoTime();
        assertThat(peerStore().unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
        assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(waiter.returnedAt.get() - unlocked)).isLessThan(Duration.ofMillis(100));
        assertThat(waiters().armCount() - armsBefore).as("no reads while subscribed").isEqualTo(armed);
    }

    /**
     * An Unlock publishes the key only when someone outside the unlocking store instance may wait: the key is marked
     * by another instance's contender, or the lock was granted through another instance. An uncontended lock +
     * unlock publishes nothing (no broadcast to every subscribed application, nor over a cluster's bus).
     */
    @Test
    void anUnlockPublishesOnlyWhenAnotherStoreInstanceMayWaitForTheKey() {
        String key = uniqueKey("publishes");
        long before = publishes();
        for (int i = 0; i < 5; i++) {
            String owner = newOwner();
            assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
            assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(publishes() - before).as("publishes of 5 uncontended TryLock + Unlock").isZero();

        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        assertThat(peerStore().tryLock(key, newOwner(), LONG_EXPIRE)).as("refused: marks the key").isFalse();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(publishes() - before).as("publishes after an Unlock of a key another instance marked")
                .isEqualTo(1);

        String peerOwner = heldByPeer(key);
        assertThat(store().unlock(key, peerOwner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(publishes() - before).as("publishes after an Unlock of a lock granted through another instance")
                .isEqualTo(2);
    }

    /**
     * A waiter of the instance the lock was granted through leaves no mark (its own instance would wake it), yet the
     * Unlock comes through another instance: the publish reaches it.
     */
    @Test
    void aWaiterHearsAnUnlockThroughAnotherInstanceOfALockGrantedThroughItsOwn() throws Exception {
        assertWokenByAnUnlockThrough(peerStore(), 1);
    }

    /** A waiter of the store the lock was granted and unlocked through is woken by that store, with no publish. */
    @Test
    void aWaiterOfTheUnlockingStoreIsWokenByItWithoutAPublish() throws Exception {
        assertWokenByAnUnlockThrough(store(), 0);
    }

    /**
     * Locks a key through the store under test, starts a waiter there once subscribed, unlocks through
     * {@code unlocking}: the waiter returns long before the lease end, after {@code publishes} publishes.
     */
    private void assertWokenByAnUnlockThrough(LockStore unlocking, long publishes) throws Exception {
        String key = uniqueKey("woken");
        String holder = newOwner();
        assertThat(store().tryLock(key, holder, LONG_EXPIRE)).isTrue();
        long publishesBefore = publishes();
        Waiter waiter = Waiter.start(store(), key, Duration.ofSeconds(20));
        pollUntil(() -> waiters().waiterCount() == 1
                && ((RedisLockStore) store()).releaseSignal().subscription().isLive(), Duration.ofSeconds(5),
                "one waiter, subscribed");
        assertThat(waiter.returned.await(200, TimeUnit.MILLISECONDS)).as("still held: still waiting").isFalse();
        long unlocked = System.nanoTime();
        assertThat(unlocking.unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
        assertThat(waiter.returned.await(5, TimeUnit.SECONDS)).isTrue();
        waiter.assertNoFailure();
        assertThat(Duration.ofNanos(waiter.returnedAt.get() - unlocked)).as("from the Unlock to the waiter's return "
                + "(the lease lasts %s s)", LONG_EXPIRE).isLessThan(Duration.ofSeconds(1));
        assertThat(publishes() - publishesBefore).as("publishes").isEqualTo(publishes);
    }

    /** {@code PUBLISH} commands run so far, scripts' included ({@code INFO commandstats}). */
    private long publishes() {
        return admin().info("commandstats").lines().filter(line -> line.startsWith("cmdstat_publish:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(','))))
                .sum();
    }

    private long subscribers() {
        return admin().pubsubNumsub(RedisLockScript.RELEASE_CHANNEL).get(RedisLockScript.RELEASE_CHANNEL);
    }

    private RedisCommands<String, String> admin() {
        return adminConnection.sync();
    }
}
