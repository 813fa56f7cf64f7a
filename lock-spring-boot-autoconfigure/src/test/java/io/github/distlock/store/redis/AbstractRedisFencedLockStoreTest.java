package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The fencing capability on some Redis deployment: a subclass starts the servers and says how to connect; every
 * store (the restarted one too) has a connection factory of its own, destroyed after the class with the servers.
 *
 * @param <S> the test servers, closed after the class
 */
abstract class AbstractRedisFencedLockStoreTest<S extends AutoCloseable> extends AbstractFencedLockStoreTest {

    protected static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    protected S servers;
    private final List<LettuceConnectionFactory> factories = new ArrayList<>();

    protected abstract S startServers();

    protected abstract LettuceConnectionFactory connect(S servers);

    @Override
    protected final FencedLockStore createStore() {
        servers = startServers();
        return newStore(RedisLockStore.DEFAULT_TOKEN_RETENTION);
    }

    @Override
    protected final FencedLockStore createRestartedStore() {
        return newStore(RedisLockStore.DEFAULT_TOKEN_RETENTION);
    }

    /** A store on a connection factory of its own; close it when done (the factory goes after the class). */
    protected RedisLockStore newStore(Duration tokenRetention) {
        LettuceConnectionFactory factory = connect(servers);
        factories.add(factory);
        return new RedisLockStore(factory, null, tokenRetention);
    }

    /** The first store's connection factory, for direct commands. */
    protected LettuceConnectionFactory connectionFactory() {
        return factories.get(0);
    }

    @AfterAll
    void stopServers() throws Exception {
        for (LettuceConnectionFactory factory : factories) {
            factory.destroy();
        }
        if (servers != null) {
            servers.close();
        }
    }
}
