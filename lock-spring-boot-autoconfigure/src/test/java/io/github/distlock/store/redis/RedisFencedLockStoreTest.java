package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fencing tokens on a standalone Redis, and how the lock key keeps the last one: a tombstone for the retention,
 * then the server clock.
 */
class RedisFencedLockStoreTest extends AbstractRedisFencedLockStoreTest<RedisTestServer> {

    @Override
    protected RedisTestServer startServers() {
        return RedisTestServer.start();
    }

    @Override
    protected LettuceConnectionFactory connect(RedisTestServer server) {
        return server.connectionFactory(COMMAND_TIMEOUT);
    }

    @Test
    void anUnlockedKeyKeepsItsLastTokenForTheRetentionThenGoes() throws Exception {
        try (RedisLockStore store = newStore(Duration.ofMillis(500))) {
            String key = uniqueKey("tombstone");
            String owner = newOwner();
            long token = store.tryLockFenced(key, owner, LONG_EXPIRE);
            assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
            assertThat(field(key, "t")).as("the tombstone's token").isEqualTo(Long.toString(token));
            assertThat(field(key, "o")).as("the tombstone's owner").isNull();
            assertThat(store.unlock(key, owner)).as("a tombstone is no lock").isEqualTo(LockStatus.LOCK_UNEXIST);
            assertThat(store.keepAlive(key, owner, LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_UNEXIST);
            await().atMost(Duration.ofSeconds(5)).until(() -> !exists(key));
            String next = newOwner();
            assertThat(store.tryLockFenced(key, next, LONG_EXPIRE)).as("token once the tombstone is gone (clock)")
                    .isGreaterThan(token);
            assertThat(store.unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        }
    }

    @Test
    void aZeroRetentionRemovesTheKeyAtUnlock() {
        try (RedisLockStore store = newStore(Duration.ZERO)) {
            String key = uniqueKey("no-tombstone");
            String owner = newOwner();
            long token = store.tryLockFenced(key, owner, LONG_EXPIRE);
            assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
            assertThat(exists(key)).isFalse();
            String next = newOwner();
            assertThat(store.tryLockFenced(key, next, LONG_EXPIRE)).isGreaterThan(token);
            assertThat(store.unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        }
    }

    /** A tombstone ahead of the server clock (as after the clock stepped back) wins: the token goes on from it. */
    @Test
    void theTombstoneWinsOverAServerClockThatWentBack() {
        String key = uniqueKey("clock-back");
        long ahead = System.currentTimeMillis() * 1000 + Duration.ofDays(1).toNanos() / 1000;
        try (RedisConnection connection = connectionFactory().getConnection()) {
            connection.hashCommands().hSet(bytes(key), bytes("t"), bytes(Long.toString(ahead)));
            connection.keyCommands().pExpire(bytes(key), Duration.ofMinutes(1).toMillis());
        }
        String owner = newOwner();
        assertThat(store().tryLockFenced(key, owner, LONG_EXPIRE)).isEqualTo(ahead + 1);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    private String field(String key, String field) {
        try (RedisConnection connection = connectionFactory().getConnection()) {
            byte[] value = connection.hashCommands().hGet(bytes(key), bytes(field));
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    private boolean exists(String key) {
        try (RedisConnection connection = connectionFactory().getConnection()) {
            return Boolean.TRUE.equals(connection.keyCommands().exists(bytes(key)));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
