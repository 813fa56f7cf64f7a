package io.github.distlock.sample;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.annotation.DistributedLock;

import org.springframework.stereotype.Service;

/**
 * Pays orders. The check "already paid?" and the payment are two steps; without the lock two concurrent requests
 * for one order could both pass the check and charge the customer twice.
 */
@Service
public class PaymentService {

    private final Map<String, Payment> ledger = new ConcurrentHashMap<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger mostInsideAtOnce = new AtomicInteger();
    private final PaymentGateway gateway;

    public PaymentService(PaymentGateway gateway) {
        this.gateway = gateway;
    }

    /** At most one call per order id runs at a time, across every instance sharing the lock store. */
    @DistributedLock(key = "'order:' + #orderId", waitTime = "${sample.payment.lock-wait:10s}",
            expire = "${sample.payment.lock-expire:30s}")
    public Payment pay(String orderId, long amountCents) {
        mostInsideAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
            Payment existing = ledger.get(orderId);
            if (existing != null) {
                return existing.asDuplicate();
            }
            String reference = gateway.charge(orderId, amountCents);
            Payment payment = new Payment(orderId, amountCents, reference, Instant.now(), false);
            ledger.put(orderId, payment);
            return payment;
        } finally {
            inside.decrementAndGet();
        }
    }

    public Payment find(String orderId) {
        return ledger.get(orderId);
    }

    /** The most calls that were ever inside {@link #pay} at once in this instance (1 when the lock works). */
    public int mostInsideAtOnce() {
        return mostInsideAtOnce.get();
    }

    public int charges() {
        return gateway.charges();
    }

    /** A recorded payment; {@code duplicate} when a request found the order already paid. */
    public record Payment(String orderId, long amountCents, String reference, Instant paidAt, boolean duplicate) {

        Payment asDuplicate() {
            return new Payment(orderId, amountCents, reference, paidAt, true);
        }
    }
}
