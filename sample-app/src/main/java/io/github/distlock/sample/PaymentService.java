package io.github.distlock.sample;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.LockHandle;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.fencing.StaleFencingTokenException;

import org.springframework.stereotype.Service;

/**
 * Pays orders. The check "already paid?" and the payment are two steps; without the lock two concurrent requests
 * for one order could both pass the check and charge the customer twice. The check reads the {@link Ledger} every
 * instance shares, so a payment charged by one instance is a duplicate in all of them. Its writes carry the lock's
 * fencing token, so that a holder whose lease ran out while it was paused cannot record a charge once another holder
 * took the order over.
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

    /**
     * At most one call per order id runs at a time, across every instance sharing the lock store.
     *
     * @throws StaleFencingTokenException when the order's lock was taken over by another holder while this call held
     *                                    it past its lease: the ledger refused this call's write
     */
    @DistributedLock(key = "'order:' + #orderId", waitTime = "${sample.payment.lock-wait:10s}",
            expire = "${sample.payment.lock-expire:30s}")
    public Payment pay(String orderId, long amountCents) {
        mostInsideAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
            Optional<Payment> existing = ledger.find(orderId);
            if (existing.isPresent()) {
                return existing.get().asDuplicate();
            }
            long fencingToken = fencingToken();
            // Before the charge: from here on, a holder older than this one can write nothing for the order.
            ledger.claim(orderId, fencingToken);
            String reference = gateway.charge(orderId, amountCents);
            // Microseconds: what every ledger keeps, so that a payment reads back as it was recorded.
            Payment payment = new Payment(orderId, amountCents, reference,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), false);
            ledger.record(payment, fencingToken);
            return payment;
        } finally {
            inside.decrementAndGet();
        }
    }

    /** The token of the order's lock, which {@link #pay} holds (every built-in lock store hands tokens out). */
    private static long fencingToken() {
        LockHandle lock = CurrentLock.get().orElseThrow();
        return lock.fencingToken().orElseThrow(() -> new IllegalStateException("Lock store '" + lock.storeName()
                + "' hands out no fencing tokens; the ledger needs them"));
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
