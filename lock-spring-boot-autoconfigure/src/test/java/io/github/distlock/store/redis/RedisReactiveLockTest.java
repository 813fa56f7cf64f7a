package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.reactive.AbstractReactiveLockTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The reactive lock path on a real Redis, which signals releases. */
class RedisReactiveLockTest extends AbstractReactiveLockTest {

    private RedisTestServer server;
    private final List<LettuceConnectionFactory> connections = new ArrayList<>();

    @Override
    protected LockStore createStore() {
        if (server == null) {
            server = RedisTestServer.start();
        }
        LettuceConnectionFactory connection = server.connectionFactory(Duration.ofSeconds(5));
        connections.add(connection);
        return new RedisLockStore(connection);
    }

    @Override
    protected LockStore createPeerStore() {
        return createStore();
    }

    @AfterAll
    void closeServer() {
        connections.forEach(LettuceConnectionFactory::destroy);
        if (server != null) {
            server.close();
        }
    }
}
