package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Scripts go by SHA and survive a flushed script cache, on both command paths. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockStoreScriptTest {

    private RedisTestServer server;

    @BeforeAll
    void startServer() {
        server = RedisTestServer.start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "shared native connection: {0}")
    @ValueSource(booleans = {true, false})
    void scriptsRunBySha1AndAreReloadedAfterAScriptFlush(boolean shareNativeConnection) {
        LettuceConnectionFactory factory = server.connectionFactory(Duration.ofSeconds(5));
        factory.setShareNativeConnection(shareNativeConnection);
        try (RedisConnection admin = factory.getConnection()) {
            RedisLockStore store = new RedisLockStore(factory);
            admin.scriptingCommands().scriptFlush();

            long evalBefore = calls(admin, "eval");
            long evalShaBefore = calls(admin, "evalsha");
            int cycles = 20;
            for (int i = 0; i < cycles; i++) {
                String key = "script-" + UUID.randomUUID();
                assertThat(store.tryLock(key, "owner", 30)).isTrue();
                assertThat(store.keepAlive(key, "owner", 30)).isEqualTo(LockStatus.SUCCESS);
                assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            }
            assertThat(calls(admin, "evalsha") - evalShaBefore).as("EVALSHA calls").isEqualTo(3L * cycles);
            assertThat(calls(admin, "eval") - evalBefore).as("EVAL calls: one per script, to load it").isEqualTo(3);
            assertThat(admin.scriptingCommands().scriptExists(RedisLockScript.TRY_LOCK.sha1(),
                    RedisLockScript.UNLOCK.sha1(), RedisLockScript.KEEP_ALIVE.sha1()))
                    .containsExactly(true, true, true);

            admin.scriptingCommands().scriptFlush();
            String key = "script-flushed-" + UUID.randomUUID();
            assertThat(store.tryLock(key, "owner", 30)).isTrue();
            assertThat(store.keepAlive(key, "other", 30)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            assertThat(store.ping()).isEqualTo("PONG");
        } finally {
            factory.destroy();
        }
    }

    /** Calls of {@code command} so far, from {@code INFO commandstats}. */
    private static long calls(RedisConnection connection, String command) {
        Properties stats = connection.serverCommands().info("commandstats");
        String line = stats.getProperty("cmdstat_" + command);
        if (line == null) {
            return 0;
        }
        for (String field : line.split(",")) {
            if (field.startsWith("calls=")) {
                return Long.parseLong(field.substring("calls=".length()));
            }
        }
        throw new IllegalStateException("No calls in " + line);
    }
}
