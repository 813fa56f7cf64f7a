package io.github.distlock.store.redis;

import io.github.distlock.testsupport.RedisTestServer;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The release-awaiting capability through a {@code RedisConnection} per call (Lettuce without a shared connection, the
 * path Jedis takes too): the key's time to live is read on a blocking connection, off the waiter's thread.
 */
class RedisReleaseAwaitingLockStoreConnectionPerCallTest extends RedisReleaseAwaitingLockStoreTest {

    @Override
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        LettuceConnectionFactory factory = super.connect(server);
        factory.setShareNativeConnection(false);
        return factory;
    }
}
