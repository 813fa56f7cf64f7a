package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The hand-over script on a standalone Redis. */
class RedisHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connection;

    @Override
    protected HandOverLockStore createStore() {
        server = RedisTestServer.start();
        connection = server.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connection);
    }

    @AfterAll
    void stopServer() {
        if (connection != null) {
            connection.destroy();
        }
        if (server != null) {
            server.close();
        }
    }
}
