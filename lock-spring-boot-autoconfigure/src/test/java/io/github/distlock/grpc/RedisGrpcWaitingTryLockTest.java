package io.github.distlock.grpc;

import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractGrpcWaitingTryLockTest} on a real {@code redis-server}: release signal by pub/sub, over a network. */
@SpringBootTest(classes = GrpcWaitingStoresApplication.class, properties = {
        "spring.application.name=grpc-wait-test",
        "distributed-lock.stores.redis.type=redis",
        "distributed-lock.default-store=redis",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
// Its Redis ends with the class: never cache the context beyond it.
@DirtiesContext
class RedisGrpcWaitingTryLockTest extends AbstractGrpcWaitingTryLockTest {

    // Started before the context, so that a missing redis-server skips (or fails, under CI=true) the class.
    private static RedisTestServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisTestServer.startLocalProcess();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @DynamicPropertySource
    static void redisAddress(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.host());
        registry.add("spring.data.redis.port", () -> redis.port());
    }

    @Override
    String store() {
        return "redis";
    }
}
