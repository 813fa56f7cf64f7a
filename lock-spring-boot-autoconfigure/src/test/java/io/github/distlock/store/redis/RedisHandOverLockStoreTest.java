package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The hand-over script on a standalone Redis, with a second store instance for another application. */
class RedisHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connection;
    private LettuceConnectionFactory peerConnection;

    @Override
    protected HandOverLockStore createStore() {
        server = RedisTestServer.start();
        connection = server.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connection);
    }

    /** Another application's store: its contenders make a hand-over yield. */
    @Override
    protected LockStore createPeerStore() {
        peerConnection = server.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(peerConnection);
    }

    @AfterAll
    void stopServer() {
        if (connection != null) {
            connection.destroy();
        }
        if (peerConnection != null) {
            peerConnection.destroy();
        }
        if (server != null) {
            server.close();
        }
    }
}
