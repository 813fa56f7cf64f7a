package io.github.distlock.sample;

import java.util.Optional;

/**
 * The record of payments, in the store every instance shares: what makes a repeated payment a duplicate in any
 * instance, not only in the one that charged. {@link RedisLedger} with the redis profile (the same Redis as the
 * locks), {@link JdbcLedger} otherwise (an H2 database file).
 *
 * <p>{@link PaymentService#pay} reads and records under the order's lock, so the ledger itself needs no
 * compare-and-set. (A fencing token passed to {@link #record} would let it refuse a write from a holder whose lease
 * ran out meanwhile.)
 */
public interface Ledger {

    /** The payment of {@code orderId}, if it was paid. */
    Optional<PaymentService.Payment> find(String orderId);

    /** Records a payment; called under the order's lock, once per order. */
    void record(PaymentService.Payment payment);
}
