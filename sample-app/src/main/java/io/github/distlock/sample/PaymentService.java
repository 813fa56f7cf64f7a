package io.github.distlock.sample;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.annotation.DistributedLock;

import org.springframework.stereotype.Service;

/**
 * Pays orders. The check "already paid?" and the payment are two steps; without the lock two concurrent requests
 * for one order could both pass the check and charge the customer twice. The check reads the {@link Ledger} every
 * instance shares, so a payment charged by one instance is a duplicate in all of them.
 */
@Service
public class PaymentService {

    private final Ledger ledger;
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger mostInsideAtOnce = new AtomicInteger();
    private final PaymentGateway gateway;

    public PaymentService(PaymentGateway gateway, Ledger ledger) {
        this.gateway = gateway;
        this.ledger = ledger;
    }

    /** At most one call per order id runs at a time, across every instance sharing the lock store. */
    @DistributedLock(key = "'order:' + #orderId", waitTime = "${sample.payment.lock-wait:10s}",
            expire = "${sample.payment.lock-expire:30s}")
    public Payment pay(String orderId, long amountCents) {
        mostInsideAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
            Optional<Payment> existing = ledger.find(orderId);
            if (existing.isPresent()) {
                return existing.get().asDuplicate();
            }
            String reference = gateway.charge(orderId, amountCents);
            // Microseconds: what every ledger keeps, so that a payment reads back as it was recorded.
            Payment payment = new Payment(orderId, amountCents, reference,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), false);
            ledger.record(payment);
            return payment;
        } finally {
            inside.decrementAndGet();
        }
    }

    public Optional<Payment> find(String orderId) {
        return ledger.find(orderId);
    }

    /** The most calls that were ever inside {@link #pay} at once in this instance (1 when the lock works). */
    public int mostInsideAtOnce() {
        return mostInsideAtOnce.get();
    }

    /** Charges this instance made (the gateway counts them). */
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
