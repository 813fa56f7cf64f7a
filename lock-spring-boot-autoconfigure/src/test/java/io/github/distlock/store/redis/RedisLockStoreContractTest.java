package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract on a standalone Redis, through Lettuce's shared connection (the default set-up). */
class RedisLockStoreContractTest extends AbstractLockStoreContractTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected LockStore createStore() {
        server = RedisTestServer.start();
        connectionFactory = server.connectionFactory(Duration.ofSeconds(5));
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
