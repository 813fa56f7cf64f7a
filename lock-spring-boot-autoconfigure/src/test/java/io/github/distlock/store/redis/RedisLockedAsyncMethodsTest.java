package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.function.Supplier;

import io.github.distlock.reactive.AbstractLockedAsyncMethodsTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Locked {@code Mono} and {@code @Async} methods on a real Redis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockedAsyncMethodsTest extends AbstractLockedAsyncMethodsTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connection;

    @BeforeAll
    void startServer() {
        server = RedisTestServer.start();
        connection = server.connectionFactory(Duration.ofSeconds(5));
    }

    @AfterAll
    void stopServer() {
        connection.destroy();
        server.close();
    }

    @Override
    protected Supplier<LockStore> store() {
        return () -> new RedisLockStore(connection);
    }
}
