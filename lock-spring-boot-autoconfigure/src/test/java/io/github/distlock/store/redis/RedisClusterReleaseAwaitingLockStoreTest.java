package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;
import io.github.distlock.testsupport.RedisTestCluster;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The release-awaiting capability on a three-master Redis Cluster: the subscription is on one node, and releases of
 * keys on every node reach it (classic pub/sub is forwarded to all nodes).
 */
class RedisClusterReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    private RedisTestCluster cluster;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        cluster = RedisTestCluster.start();
        connectionFactory = cluster.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connectionFactory);
    }

    @AfterAll
    void stopCluster() {
        connectionFactory.destroy();
        cluster.close();
    }
}
