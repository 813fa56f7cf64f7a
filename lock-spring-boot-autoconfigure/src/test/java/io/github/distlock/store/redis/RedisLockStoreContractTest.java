package io.github.distlock.store.redis;

import io.github.distlock.testsupport.RedisTestServer;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract on a standalone Redis, through Lettuce's shared connection (the default set-up). */
class RedisLockStoreContractTest extends AbstractRedisLockStoreContractTest<RedisTestServer> {

    @Override
    protected RedisTestServer startServers() {
        return RedisTestServer.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        return server.connectionFactory(COMMAND_TIMEOUT);
    }
}
