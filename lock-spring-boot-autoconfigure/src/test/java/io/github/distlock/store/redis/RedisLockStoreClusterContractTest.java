package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestCluster;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract on a three-master Redis Cluster: every command must go to its key's node. */
class RedisLockStoreClusterContractTest extends AbstractLockStoreContractTest {

    private RedisTestCluster cluster;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected LockStore createStore() {
        cluster = RedisTestCluster.start();
        connectionFactory = cluster.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connectionFactory);
    }

    @AfterAll
    void stopCluster() {
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
