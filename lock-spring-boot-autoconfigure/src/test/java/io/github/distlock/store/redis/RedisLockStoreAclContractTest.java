package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract as a Redis ACL user allowed only what the store sends ({@code EVALSHA}, {@code EVAL},
 * {@code PING}, and {@code HMGET}, {@code HGET}, {@code HSET}, {@code HDEL}, {@code PEXPIRE}, {@code TIME} inside
 * its scripts) on the keys of one
 * prefix, with the {@code default} user off. A wrong password or a key outside the user's pattern is a failure,
 * never a lock refused.
 */
class RedisLockStoreAclContractTest extends AbstractRedisLockStoreContractTest<RedisTestServer> {

    /** The ACL rules of the lock user: the minimal set a deployment can grant the lock store. */
    private static final List<String> LOCK_USER = List.of("locker", "on", ">s3cret", "~contract-*", "resetchannels",
            "-@all", "+evalsha", "+eval", "+ping", "+hmget", "+hget", "+hset", "+hdel", "+pexpire", "+time");

    @Override
    protected RedisTestServer startServers() {
        List<String> arguments = new ArrayList<>(List.of("--user", "default", "off", "--user"));
        arguments.addAll(LOCK_USER);
        return RedisTestServer.startLocalProcess(arguments);
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        return server.connectionFactory(COMMAND_TIMEOUT, "locker", "s3cret");
    }

    @Test
    void aKeyOutsideTheUsersKeyPatternFailsInsteadOfBeingRefused() {
        String key = "outside-" + newOwner();
        assertThatThrownBy(() -> store().tryLock(key, newOwner(), LONG_EXPIRE)).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> store().unlock(key, newOwner())).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> store().keepAlive(key, newOwner(), LONG_EXPIRE)).hasMessageContaining("NOPERM");
    }

    @Test
    void springBootsUsernameAndPasswordPropertiesAuthenticateTheStore() {
        runnerWithPassword("s3cret").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            String resource = uniqueKey("boot-credentials");
            assertThat(client.tryLock(new TryLockRequest("main", resource, "owner", LONG_EXPIRE)).success()).isTrue();
            assertThat(client.unlock(new UnlockRequest("main", resource, "owner")).status())
                    .isEqualTo(LockStatus.SUCCESS);
        });
    }

    @Test
    void aWrongPasswordFailsTheLockWithAClearError() {
        runnerWithPassword("wrong").run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.tryLock(new TryLockRequest("main", uniqueKey("wrong-password"),
                    newOwner(), LONG_EXPIRE)))
                    .isInstanceOf(LockStoreException.class)
                    .hasMessageContaining("'main'").hasMessageContaining("WRONGPASS");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail")
                    .isLessThan(Duration.ofSeconds(2));
        });
    }

    private ApplicationContextRunner runnerWithPassword(String password) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=" + servers.host(),
                        "spring.data.redis.port=" + servers.port(), "spring.data.redis.timeout=2s",
                        "spring.data.redis.username=locker", "spring.data.redis.password=" + password,
                        "distributed-lock.key-prefix=none", "distributed-lock.stores.main.type=redis");
    }
}
