package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Commands on the Lettuce connection that a {@link LettuceConnectionFactory} shares between all its users (the
 * default, {@code shareNativeConnection=true}). Lock commands never block the connection, so they pipeline with
 * everybody else's on it; going to the native asynchronous API skips the per-call {@code RedisConnection} wrapper
 * Spring Data Redis would otherwise build. Standalone, Sentinel and Cluster connections alike: a cluster
 * connection routes each command to the node of its key.
 *
 * <p>Each call waits at most the store's operation timeout (by default the factory's command timeout,
 * {@code spring.data.redis.timeout}) and cancels the command when the time is up, so that a command queued while
 * Redis is unreachable is not sent once it is back.
 */
final class LettuceSharedConnectionCommands implements RedisLockCommands {

    private final LettuceConnectionFactory connectionFactory;
    private final long timeoutMillis;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;

    /** @param timeout longest wait per command; {@code null}: the factory's command timeout */
    LettuceSharedConnectionCommands(LettuceConnectionFactory connectionFactory, Duration timeout) {
        this.connectionFactory = connectionFactory;
        this.timeoutMillis = timeout != null ? timeout.toMillis() : connectionFactory.getTimeout();
    }

    @Override
    public long evalOnKey(RedisLockScript script, byte[] key, byte[]... args) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
        byte[][] keys = {key};
        Long reply;
        try {
            reply = await(redis.evalsha(script.sha1(), ScriptOutputType.INTEGER, keys, args));
        } catch (RedisNoScriptException e) {
            // First use on this server (or after a restart or SCRIPT FLUSH): EVAL runs the script and caches it.
            reply = await(redis.eval(script.bodyBytes(), ScriptOutputType.INTEGER, keys, args));
        }
        return reply;
    }

    @Override
    public CompletableFuture<Long> leaseLeft(byte[] key, byte[] mark) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
        RedisLockScript script = RedisLockScript.LEASE_LEFT;
        byte[][] keys = {key};
        // A new stage, so that the timeout completes it and not Lettuce's own command.
        return redis.<Long>evalsha(script.sha1(), ScriptOutputType.INTEGER, keys, mark).toCompletableFuture()
                .exceptionallyCompose(failure -> RedisLockScript.isNoScript(failure)
                        ? redis.<Long>eval(script.bodyBytes(), ScriptOutputType.INTEGER, keys, mark)
                                .toCompletableFuture()
                        : CompletableFuture.failedFuture(failure))
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String ping() {
        return await(commands().ping());
    }

    private <T> T await(RedisFuture<T> future) {
        return LettuceFutures.awaitOrCancel(future, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The shared connection's commands, fetched on first use (so that the application starts while Redis is
     * down) and again if the factory replaced its shared connection. Lettuce reconnects a live connection itself.
     */
    private RedisClusterAsyncCommands<byte[], byte[]> commands() {
        RedisClusterAsyncCommands<byte[], byte[]> current = commands;
        if (current != null && isOpen(current)) {
            return current;
        }
        synchronized (this) {
            current = commands;
            if (current == null || !isOpen(current)) {
                try (RedisConnection connection = connectionFactory.getConnection()) {
                    current = ((LettuceConnection) connection).getNativeConnection();
                }
                commands = current;
            }
            return current;
        }
    }

    private static boolean isOpen(RedisClusterAsyncCommands<byte[], byte[]> commands) {
        if (commands instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
            return standalone.getStatefulConnection().isOpen();
        }
        if (commands instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            return cluster.getStatefulConnection().isOpen();
        }
        return true;
    }
}
