package io.github.distlock.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.fencing.StaleFencingTokenException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The point of the library: two instances of the order service (two application contexts, as two processes would
 * be) on one shared store, its locks and its ledger; concurrent payments of one order spread over both charge the
 * customer exactly once, and both instances then answer with that one payment. And when a holder is paused past its
 * lease, the ledger refuses its late write by its fencing token.
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
        return instance(null);
    }

    /** An instance; with {@code gateway} (not null) as its payment gateway, in place of the application's. */
    private PaymentService instance(PaymentGateway gateway, String... arguments) {
        List<String> args = new ArrayList<>(storeArguments());
        args.addAll(List.of("--distributed-lock.grpc.enabled=false", "--sample.payment.gateway-latency=100ms"));
        args.addAll(List.of(arguments));
        SpringApplicationBuilder builder = new SpringApplicationBuilder(SampleApplication.class)
                .web(WebApplicationType.NONE).profiles(profile());
        if (gateway != null) {
            builder.initializers(context -> ((GenericApplicationContext) context).registerBean("pausingGateway",
                    PaymentGateway.class, () -> gateway, definition -> definition.setPrimary(true)));
        }
        ConfigurableApplicationContext context = builder.run(args.toArray(String[]::new));
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

    @Test
    void aHolderPausedPastItsLeaseCannotChargeAfterTheNextHolder() throws Exception {
        CountDownLatch aCharging = new CountDownLatch(1);
        CountDownLatch resumeA = new CountDownLatch(1);
        // A's gateway stands for the pause (a long GC, a frozen VM): A holds the order's lock and does not run on.
        PaymentGateway pausing = new PaymentGateway(Duration.ZERO) {
            @Override
            String charge(String orderId, long amountCents) {
                aCharging.countDown();
                try {
                    if (!resumeA.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("A was never resumed");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return super.charge(orderId, amountCents);
            }
        };
        // A paused JVM renews nothing: renewal off, so A's 1 s lease runs out during the pause.
        PaymentService a = instance(pausing, "--distributed-lock.renewal.enabled=false",
                "--sample.payment.lock-expire=1s");
        PaymentService b = instance();
        String order = "F-" + UUID.randomUUID();

        CompletableFuture<PaymentService.Payment> paymentOfA = CompletableFuture.supplyAsync(() -> a.pay(order, 500));
        assertThat(aCharging.await(30, TimeUnit.SECONDS)).as("A holds the lock and charges").isTrue();
        // B waits (up to its 10 s lock-wait) for A's lease to end, takes the lock over, finds no payment, charges.
        PaymentService.Payment paymentOfB = b.pay(order, 700);
        assertThat(paymentOfB.duplicate()).isFalse();
        resumeA.countDown();

        assertThatThrownBy(() -> paymentOfA.get(30, TimeUnit.SECONDS)).as("A's late record")
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(StaleFencingTokenException.class);
        assertThat(a.find(order)).as("the ledger keeps B's payment, in both instances").contains(paymentOfB);
        assertThat(b.find(order)).contains(paymentOfB);
    }
}
