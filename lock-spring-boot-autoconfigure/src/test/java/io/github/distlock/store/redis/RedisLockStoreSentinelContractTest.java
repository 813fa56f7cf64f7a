package io.github.distlock.store.redis;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestSentinel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on the master that Sentinel names, through Lettuce's shared connection. */
class RedisLockStoreSentinelContractTest extends AbstractLockStoreContractTest {

    private RedisTestSentinel sentinel;
    private LettuceConnectionFactory connectionFactory;

    @Override
    protected LockStore createStore() {
        sentinel = RedisTestSentinel.start();
        connectionFactory = sentinel.connectionFactory(Duration.ofSeconds(5));
        return new RedisLockStore(connectionFactory);
    }

    @AfterAll
    void stopSentinel() {
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Test
    void theLockIsWrittenOnTheMasterThatSentinelNames() {
        assertThat(connectionFactory.getSentinelConfiguration()).as("a Sentinel connection factory").isNotNull();
        String key = uniqueKey("on-master");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        InetSocketAddress master = sentinel.currentMaster();
        assertThat(sentinel.get(master, key)).as("value at %s on %s", key, master).isEqualTo(owner);
    }
}
