package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The release-awaiting capability on a standalone Redis, through Lettuce's shared connection. */
class RedisReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        server = RedisTestServer.start();
        connectionFactory = connect(server);
        return new RedisLockStore(connectionFactory);
    }

    /** A started connection factory to {@code server}. */
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        return server.connectionFactory(Duration.ofSeconds(5));
    }

    @AfterAll
    void stopServer() {
        connectionFactory.destroy();
        server.close();
    }
}
