package io.github.distlock.store.redis;

import io.github.distlock.testsupport.RedisTestServer;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract through a {@code RedisConnection} per call, the path for Jedis and for Lettuce without a
 * shared connection.
 */
class RedisLockStoreConnectionPerCallContractTest extends AbstractRedisLockStoreContractTest<RedisTestServer> {

    @Override
    protected RedisTestServer startServers() {
        return RedisTestServer.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        LettuceConnectionFactory factory = server.connectionFactory(COMMAND_TIMEOUT);
        factory.setShareNativeConnection(false);
        return factory;
    }
}
