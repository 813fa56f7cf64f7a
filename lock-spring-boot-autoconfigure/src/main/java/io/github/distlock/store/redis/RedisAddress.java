package io.github.distlock.store.redis;

import java.util.stream.Collectors;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/** Where a connection factory connects, for log lines and health details: {@code 127.0.0.1:6379/0} and the like. */
final class RedisAddress {

    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            RedisAddress.class.getClassLoader());

    private RedisAddress() {
    }

    static String of(RedisConnectionFactory connectionFactory) {
        if (LETTUCE_PRESENT && connectionFactory instanceof LettuceConnectionFactory lettuce) {
            return ofLettuce(lettuce);
        }
        // Jedis and other clients: their settings are not read here.
        return connectionFactory.getClass().getSimpleName();
    }

    private static String ofLettuce(LettuceConnectionFactory lettuce) {
        String scheme = lettuce.isUseSsl() ? "rediss://" : "redis://";
        if (lettuce.isClusterAware()) {
            return "cluster " + scheme + nodes(lettuce.getClusterConfiguration().getClusterNodes());
        }
        if (lettuce.isRedisSentinelAware()) {
            return "sentinel master '" + lettuce.getSentinelConfiguration().getMaster().getName() + "' via "
                    + scheme + nodes(lettuce.getSentinelConfiguration().getSentinels()) + "/"
                    + lettuce.getDatabase();
        }
        return scheme + lettuce.getHostName() + ":" + lettuce.getPort() + "/" + lettuce.getDatabase();
    }

    private static String nodes(Iterable<RedisNode> nodes) {
        return java.util.stream.StreamSupport.stream(nodes.spliterator(), false).map(RedisNode::asString)
                .collect(Collectors.joining(","));
    }
}
