package io.github.distlock.sample;

import java.util.List;

import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two instances with the redis profile: locks and ledger in one real Redis. */
class SampleTwoInstancesOnRedisTest extends AbstractTwoInstancesTest {

    private static RedisTestServer redis;

    @BeforeAll
    static void start() {
        redis = RedisTestServer.start();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected String profile() {
        return "redis";
    }

    @Override
    protected List<String> storeArguments() {
        return List.of("--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port());
    }
}
