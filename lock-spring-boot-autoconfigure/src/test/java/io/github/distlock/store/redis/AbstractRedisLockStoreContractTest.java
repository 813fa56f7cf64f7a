package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract on some Redis deployment: a subclass starts the servers (standalone, Sentinel, Cluster, ...)
 * and says how to connect; the peer store connects the same way, through a connection factory of its own. The
 * servers and the connections are closed after the class.
 *
 * @param <S> the test servers, closed after the class
 */
abstract class AbstractRedisLockStoreContractTest<S extends AutoCloseable> extends AbstractLockStoreContractTest {

    /** Command timeout of the store's connection. */
    protected static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    protected S servers;
    protected LettuceConnectionFactory connectionFactory;
    private LettuceConnectionFactory peerConnectionFactory;

    /** Starts the Redis servers under test. */
    protected abstract S startServers();

    /** A started connection factory to {@code servers}. */
    protected abstract LettuceConnectionFactory connect(S servers);

    @Override
    protected final LockStore createStore() {
        servers = startServers();
        connectionFactory = connect(servers);
        return new RedisLockStore(connectionFactory);
    }

    @Override
    protected final LockStore createPeerStore() {
        peerConnectionFactory = connect(servers);
        return new RedisLockStore(peerConnectionFactory);
    }

    @AfterAll
    void stopServers() throws Exception {
        if (peerConnectionFactory != null) {
            peerConnectionFactory.destroy();
        }
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (servers != null) {
            servers.close();
        }
    }
}
