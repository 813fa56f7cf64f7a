package io.github.distlock.grpc;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.LockStatus;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.spi.LockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The application the gRPC tests run against: the in-memory store {@code mem} (default) from configuration, the
 * failing store {@code unreachable}, metrics, and a bean with a {@code @DistributedLock} method. Each test class sets
 * the same properties, so they share one running context. Only the auto-configurations under test are imported, so
 * no other client library on the test classpath (ZooKeeper, Redis) tries to connect anywhere.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({DistributedLockAutoConfiguration.class, GrpcLockServerAutoConfiguration.class,
        SslAutoConfiguration.class})
public class GrpcLockTestApplication {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    /**
     * Error-mapping fixture only, not a store under test: every call fails the way a store client fails when its
     * server is down (a connection refused). The Redis, ZooKeeper and etcd stores are on other branches; with one
     * of them here, a real store whose server is stopped would replace this.
     */
    @Bean
    LockStore unreachable() {
        return new LockStore() {
            @Override
            public boolean tryLock(String key, String owner, int expireSeconds) {
                throw refused();
            }

            @Override
            public LockStatus unlock(String key, String owner) {
                throw refused();
            }

            @Override
            public LockStatus keepAlive(String key, String owner, int expireSeconds) {
                throw refused();
            }

            private RuntimeException refused() {
                return new UncheckedIOException(new ConnectException("Connection refused: 127.0.0.1:1"));
            }
        };
    }

    @Bean
    Payments payments() {
        return new Payments();
    }

    /** An annotated bean locking the same resources as the gRPC clients (same store, same key prefix). */
    public static class Payments {

        /** Runs under the lock {@code id}, and returns at once. */
        @DistributedLock(key = "#id", expire = "10s")
        public String pay(String id) {
            return "paid " + id;
        }

        /** Runs under the lock {@code id} until {@code release} opens (at most 10 s), after opening {@code entered}. */
        @DistributedLock(key = "#id", expire = "20s")
        public void holdWhile(String id, CountDownLatch entered, CountDownLatch release) throws InterruptedException {
            entered.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released " + id);
            }
        }
    }
}
