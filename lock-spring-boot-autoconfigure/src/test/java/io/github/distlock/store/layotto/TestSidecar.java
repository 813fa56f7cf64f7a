package io.github.distlock.store.layotto;

import java.util.ArrayList;
import java.util.List;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.grpc.GrpcLockServer;
import io.github.distlock.grpc.GrpcLockServerAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * This project's own sidecar for the layotto store's tests: an application serving the gRPC Lock API on a loopback
 * port, with an in-memory store {@code mem} (its default) or a Redis store {@code redis} behind it.
 */
final class TestSidecar implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private TestSidecar(Class<?> application, List<String> properties) {
        context = new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new)).run();
    }

    /** A sidecar on {@code port} (0: a free one) with the in-memory store {@code mem}, and more properties. */
    static TestSidecar inMemory(int port, String... properties) {
        List<String> all = common(port);
        all.add("distributed-lock.stores.mem.type=in-memory");
        all.addAll(List.of(properties));
        return new TestSidecar(InMemorySidecar.class, all);
    }

    /** A sidecar on {@code port} (0: a free one) with the store {@code redis} on {@code redis}. */
    static TestSidecar redis(RedisTestServer redis, int port, String... properties) {
        List<String> all = common(port);
        all.addAll(List.of("distributed-lock.stores.redis.type=redis", "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(), "spring.data.redis.timeout=2s"));
        all.addAll(List.of(properties));
        return new TestSidecar(RedisSidecar.class, all);
    }

    private static List<String> common(int port) {
        return new ArrayList<>(List.of("spring.main.banner-mode=off", "spring.application.name=sidecar",
                "distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=" + port));
    }

    int port() {
        return context.getBean(GrpcLockServer.class).getPort();
    }

    /** {@code 127.0.0.1:port}, as the layotto store's address. */
    String address() {
        return "127.0.0.1:" + port();
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
            GrpcLockServerAutoConfiguration.class, SslAutoConfiguration.class})
    static class InMemorySidecar {
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
            InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
            GrpcLockServerAutoConfiguration.class, SslAutoConfiguration.class})
    static class RedisSidecar {
    }
}
