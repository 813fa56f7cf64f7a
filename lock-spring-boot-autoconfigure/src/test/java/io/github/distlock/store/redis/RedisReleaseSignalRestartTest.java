package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.waiting.WaitingContender;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release signal across a restart of Redis (a child process of the test's own, without persistence): the
 * subscription and the shared connection drop, Lettuce reconnects and subscribes again, and a waiter that was waiting
 * all along acquires within its wait time. The restarted server is empty, so the lock it waited for is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisReleaseSignalRestartTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WAIT_TIME = Duration.ofSeconds(20);

    private RedisTestServer server;
    private LettuceConnectionFactory holderFactory;
    private LettuceConnectionFactory waitingFactory;
    private RedisLockStore holder;
    private RedisLockStore waiting;

    @BeforeAll
    void startServer() {
        server = RedisTestServer.startLocalProcess();
        holderFactory = server.connectionFactory(COMMAND_TIMEOUT);
        waitingFactory = server.connectionFactory(COMMAND_TIMEOUT);
        holder = new RedisLockStore(holderFactory);
        waiting = new RedisLockStore(waitingFactory);
    }

    @AfterAll
    void stopServer() {
        if (server == null) {
            return;
        }
        waiting.close();
        holder.close();
        waitingFactory.destroy();
        holderFactory.destroy();
        server.close();
    }

    @Test
    void aWaiterAcquiresAfterTheServerRestartsWhileItWaits() throws Exception {
        String key = "restart-" + UUID.randomUUID();
        String holderOwner = UUID.randomUUID().toString();
        assertThat(holder.tryLock(key, holderOwner, 60)).isTrue();
        RedisReleaseSignal signal = waiting.releaseSignal();
        WaitingContender contender = WaitingContender.start(waiting, key, WAIT_TIME);
        Awaitility.await("one waiter, subscribed").atMost(Duration.ofSeconds(5))
                .until(() -> signal.waiterCount() == 1 && signal.subscription().isLive());

        contender.assertGrantedAcrossRestart(server::stop, server::restart);
        assertThat(holder.unlock(key, holderOwner)).as("the restart lost the holder's lock")
                .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(waiting.unlock(key, contender.owner())).isEqualTo(LockStatus.SUCCESS);

        // The subscription is back: the next waiter is woken by it.
        Awaitility.await("subscribed again").atMost(Duration.ofSeconds(5)).until(signal.subscription()::isLive);
        WaitingContender.assertWokenByAnUnlockWithoutPolling(waiting, signal, holder,
                "restart-next-" + UUID.randomUUID());
    }
}
