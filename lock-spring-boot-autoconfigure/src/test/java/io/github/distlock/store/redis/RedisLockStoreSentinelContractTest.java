package io.github.distlock.store.redis;

import java.net.InetSocketAddress;

import io.github.distlock.testsupport.RedisTestSentinel;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on the master that Sentinel names, through Lettuce's shared connection. */
class RedisLockStoreSentinelContractTest extends AbstractRedisLockStoreContractTest<RedisTestSentinel> {

    @Override
    protected RedisTestSentinel startServers() {
        return RedisTestSentinel.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestSentinel sentinel) {
        return sentinel.connectionFactory(COMMAND_TIMEOUT);
    }

    @Test
    void theLockIsWrittenOnTheMasterThatSentinelNames() {
        assertThat(connectionFactory.getSentinelConfiguration()).as("a Sentinel connection factory").isNotNull();
        String key = uniqueKey("on-master");
        String owner = newOwner();
        assertThat(store().tryLock(key, owner, LONG_EXPIRE)).isTrue();
        InetSocketAddress master = servers.currentMaster();
        assertThat(servers.lockOwner(master, key)).as("owner of %s on %s", key, master).isEqualTo(owner);
    }
}
