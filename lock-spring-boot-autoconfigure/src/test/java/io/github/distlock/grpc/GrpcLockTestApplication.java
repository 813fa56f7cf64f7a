package io.github.distlock.grpc;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The application the gRPC tests run against: the in-memory store {@code mem} (default) from configuration, metrics,
 * and a bean with a {@code @DistributedLock} method. Each test class sets the same properties, so they share one
 * running context (a store outage is {@link GrpcStoreOutageTest}, on a real Redis that it stops). Only the
 * auto-configurations under test are imported, so no other client library on the test classpath (ZooKeeper, Redis)
 * tries to connect anywhere.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class, GrpcLockServerAutoConfiguration.class,
        SslAutoConfiguration.class})
public class GrpcLockTestApplication {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
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
