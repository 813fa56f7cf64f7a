package io.github.distlock.store.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;

/**
 * Commands through a {@link RedisConnection} borrowed from the factory for each call: works with any Spring Data
 * Redis client (Jedis, or Lettuce with a connection pool instead of a shared connection). On a cluster factory the
 * connection is a cluster connection, which routes each command to the node of its key. Such connections block, so
 * the one command that must not block its caller, {@link #leaseLeft}, runs on {@code blockingExecutor}.
 */
final class RedisConnectionCommands implements RedisLockCommands {

    private final RedisConnectionFactory connectionFactory;
    private final Executor blockingExecutor;

    RedisConnectionCommands(RedisConnectionFactory connectionFactory, Executor blockingExecutor) {
        this.connectionFactory = connectionFactory;
        this.blockingExecutor = blockingExecutor;
    }

    @Override
    public long evalOnKey(RedisLockScript script, byte[] key, byte[]... args) {
        byte[][] keysAndArgs = new byte[args.length + 1][];
        keysAndArgs[0] = key;
        System.arraycopy(args, 0, keysAndArgs, 1, args.length);
        Long reply = withConnection(connection -> {
            try {
                return connection.scriptingCommands().evalSha(script.sha1(), ReturnType.INTEGER, 1, keysAndArgs);
            } catch (RuntimeException e) {
                if (!RedisLockScript.isNoScript(e)) {
                    throw e;
                }
                // First use on this server: EVAL runs the script and caches it for the next EVALSHA.
                return connection.scriptingCommands().eval(script.bodyBytes(), ReturnType.INTEGER, 1, keysAndArgs);
            }
        });
        if (reply == null) {
            throw new IllegalStateException("Redis answered nothing to a lock script");
        }
        return reply;
    }

    @Override
    public CompletableFuture<Long> leaseLeft(byte[] key, byte[] mark) {
        return CompletableFuture.supplyAsync(() -> evalOnKey(RedisLockScript.LEASE_LEFT, key, mark),
                blockingExecutor);
    }

    @Override
    public String ping() {
        return withConnection(RedisConnection::ping);
    }

    private <T> T withConnection(Function<RedisConnection, T> action) {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            return action.apply(connection);
        }
    }
}
