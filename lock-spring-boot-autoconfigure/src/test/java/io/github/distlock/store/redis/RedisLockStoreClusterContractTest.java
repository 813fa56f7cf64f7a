package io.github.distlock.store.redis;

import io.github.distlock.testsupport.RedisTestCluster;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract on a three-master Redis Cluster: every command must go to its key's node. */
class RedisLockStoreClusterContractTest extends AbstractRedisLockStoreContractTest<RedisTestCluster> {

    @Override
    protected RedisTestCluster startServers() {
        return RedisTestCluster.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestCluster cluster) {
        return cluster.connectionFactory(COMMAND_TIMEOUT);
    }
}
