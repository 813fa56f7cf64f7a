package io.github.distlock.store.redis;

import java.time.Duration;

import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;
import io.github.distlock.testsupport.RedisTestCluster;
import org.junit.jupiter.api.AfterAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The hand-over script on a three-master Redis Cluster, with a second store instance for another application: the
 * script touches its lock key only, so it runs on the key's node whatever the slot, and the yield to another
 * application's contender works there too.
 */
class RedisClusterHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    private RedisTestCluster cluster;
    private LettuceConnectionFactory connection;
    private LettuceConnectionFactory peerConnection;

    @Override
    protected HandOverLockStore createStore() {
        cluster = RedisTestCluster.start();
        connection = cluster.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connection);
    }

    /** Another application's store on the same cluster: its contenders make a hand-over yield. */
    @Override
    protected LockStore createPeerStore() {
        peerConnection = cluster.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(peerConnection);
    }

    @AfterAll
    void stopCluster() {
        if (connection != null) {
            connection.destroy();
        }
        if (peerConnection != null) {
            peerConnection.destroy();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
