package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract through a {@code RedisConnection} per call, the path for Jedis and for Lettuce without a
 * shared connection.
 */
class RedisLockStoreConnectionPerCallContractTest extends AbstractLockStoreContractTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected LockStore createStore() {
        server = RedisTestServer.start();
        connectionFactory = server.connectionFactory(Duration.ofSeconds(5));
        connectionFactory.setShareNativeConnection(false);
        return new RedisLockStore(connectionFactory);
    }

    @AfterAll
    void stopServer() {
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (server != null) {
            server.close();
        }
    }
}
