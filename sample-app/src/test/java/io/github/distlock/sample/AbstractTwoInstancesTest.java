package io.github.distlock.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of the library: two instances of the order service (two application contexts, as two processes would
 * be) on one shared store, its locks and its ledger; concurrent payments of one order spread over both charge the
 * customer exactly once, and both instances then answer with that one payment.
 */
abstract class AbstractTwoInstancesTest {

    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

    /** The profile of the store the instances share. */
    protected abstract String profile();

    /** Arguments pointing both instances at the shared store (they win over the profile's file). */
    protected abstract List<String> storeArguments();

    @AfterEach
    void stopInstances() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    private PaymentService instance() {
        List<String> args = new ArrayList<>(storeArguments());
        args.addAll(List.of("--distributed-lock.grpc.enabled=false", "--sample.payment.gateway-latency=100ms"));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                .web(WebApplicationType.NONE).profiles(profile()).run(args.toArray(String[]::new));
        instances.add(context);
        return context.getBean(PaymentService.class);
    }

    @Test
    void paymentsOfOneOrderSpreadOverTwoInstancesChargeOnce() throws Exception {
        PaymentService[] services = {instance(), instance()};
        String order = "R-" + UUID.randomUUID();
        int requests = 8;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        List<Future<PaymentService.Payment>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                PaymentService service = services[i % 2];
                answers.add(pool.submit(() -> service.pay(order, 700)));
            }
            int originals = 0;
            for (Future<PaymentService.Payment> answer : answers) {
                if (!answer.get(60, TimeUnit.SECONDS).duplicate()) {
                    originals++;
                }
            }
            // The lock lets one request at a time check the shared ledger; the first charges, every other one,
            // in either instance, finds the order paid.
            assertThat(originals).as("requests that charged").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(services[0].charges() + services[1].charges()).as("charges by both instances").isEqualTo(1);
        PaymentService.Payment seenByFirst = services[0].find(order).orElseThrow();
        assertThat(services[1].find(order)).as("both instances read the one payment").contains(seenByFirst);
        assertThat(services[1].pay(order, 700).duplicate()).isTrue();
        assertThat(services[0].pay(order, 700).duplicate()).isTrue();
    }
}
