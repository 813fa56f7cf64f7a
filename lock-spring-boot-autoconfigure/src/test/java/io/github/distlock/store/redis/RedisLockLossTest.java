package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.distlock.holding.AbstractNetworkLockLossTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AbstractNetworkLockLossTest} on Redis: the key removed with {@code DEL}. */
class RedisLockLossTest extends AbstractNetworkLockLossTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private RedisTestServer server;
    private LettuceConnectionFactory connection;
    private LettuceConnectionFactory proxied;

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        connection = server.connectionFactory(COMMAND_TIMEOUT);
    }

    @AfterAll
    void stop() {
        if (connection != null) {
            connection.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected LockStore store() {
        return new RedisLockStore(connection);
    }

    @Override
    protected void removeBehindItsBack(String key, String owner) {
        try (RedisConnection redis = connection.getConnection()) {
            assertThat(redis.keyCommands().del(key.getBytes(StandardCharsets.UTF_8))).isEqualTo(1L);
        }
    }

    @Override
    protected LockStore storeThrough(PausableTcpProxy proxy) {
        proxied = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", proxy.port()),
                LettuceClientConfiguration.builder().commandTimeout(COMMAND_TIMEOUT).build());
        proxied.afterPropertiesSet();
        proxied.start();
        return new RedisLockStore(proxied);
    }

    @Override
    protected void close(LockStore store) {
        proxied.destroy();
    }

    @Override
    protected String serverHost() {
        return server.host();
    }

    @Override
    protected int serverPort() {
        return server.port();
    }
}
