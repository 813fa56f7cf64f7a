package io.github.distlock.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of the library: two instances of the order service (two application contexts, as two processes would
 * be) lock through one real Redis with the {@code redis} profile; concurrent payments of one order spread over both
 * never run at the same time, in either instance or across them.
 */
class SampleTwoInstancesOnRedisTest {

    private static RedisTestServer redis;
    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() {
        redis = RedisTestServer.start();
        first = instance();
        second = instance();
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {first, second}) {
            if (context != null) {
                context.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static ConfigurableApplicationContext instance() {
        return new SpringApplicationBuilder(SampleApplication.class).web(WebApplicationType.NONE)
                .profiles("redis")
                // Arguments, not default properties: they must win over the profile's application-redis.yml.
                .run("--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                        "--distributed-lock.grpc.enabled=false", "--sample.payment.gateway-latency=100ms");
    }

    @Test
    void paymentsOfOneOrderSpreadOverTwoInstancesChargeOnce() throws Exception {
        PaymentService[] instances = {first.getBean(PaymentService.class), second.getBean(PaymentService.class)};
        int requests = 8;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        List<Future<PaymentService.Payment>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                PaymentService instance = instances[i % 2];
                answers.add(pool.submit(() -> instance.pay("R-1", 700)));
            }
            int originals = 0;
            for (Future<PaymentService.Payment> answer : answers) {
                if (!answer.get(60, TimeUnit.SECONDS).duplicate()) {
                    originals++;
                }
            }
            // Each instance has its own ledger (no shared database here), so each charges once; the lock keeps
            // those two charges apart in time, and every other request waits and finds its ledger paid.
            assertThat(originals).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(instances[0].charges() + instances[1].charges()).isEqualTo(2);
        long[] a = first.getBean(PaymentGateway.class).chargeWindows().get(0);
        long[] b = second.getBean(PaymentGateway.class).chargeWindows().get(0);
        assertThat(a[1] <= b[0] || b[1] <= a[0]).as("the two instances' charges ran one after the other").isTrue();
    }
}
