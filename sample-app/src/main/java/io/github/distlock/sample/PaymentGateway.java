package io.github.distlock.sample;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Stands for a slow external payment provider: every call is a real charge. */
@Component
public class PaymentGateway {

    private final AtomicInteger charges = new AtomicInteger();
    private final List<long[]> chargeWindows = new CopyOnWriteArrayList<>();
    private final long latencyMillis;

    public PaymentGateway(@Value("${sample.payment.gateway-latency:200ms}") java.time.Duration latency) {
        this.latencyMillis = latency.toMillis();
    }

    String charge(String orderId, long amountCents) {
        long start = System.nanoTime();
        try {
            Thread.sleep(latencyMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while charging order " + orderId, e);
        }
        charges.incrementAndGet();
        chargeWindows.add(new long[] {start, System.nanoTime()});
        return "charge-" + UUID.randomUUID();
    }

    int charges() {
        return charges.get();
    }

    /** When each charge ran ({@link System#nanoTime()} start and end), to show that charges never overlap. */
    List<long[]> chargeWindows() {
        return chargeWindows;
    }
}
