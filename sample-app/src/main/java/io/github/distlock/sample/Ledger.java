package io.github.distlock.sample;

import java.util.Optional;

import io.github.distlock.fencing.StaleFencingTokenException;

/**
 * The record of payments, in the store every instance shares: what makes a repeated payment a duplicate in any
 * instance, not only in the one that charged. {@link RedisLedger} with the redis profile (the same Redis as the
 * locks), {@link JdbcLedger} otherwise (an H2 database file).
 *
 * <p>{@link PaymentService#pay} reads and writes under the order's lock. A lock has a lease, though: a holder paused
 * past it (a long GC pause) may wake up after another holder took the order's lock over. So every write carries the
 * fencing token of the lock it is made under, the ledger keeps the largest token it has seen per order, and it
 * refuses a write with a smaller one, in the same atomic step as the write (README, "Fencing tokens").
 */
public interface Ledger {

    /** The payment of {@code orderId}, if it was paid. */
    Optional<PaymentService.Payment> find(String orderId);

    /**
     * Records {@code fencingToken} as the newest of {@code orderId} before the charge, so that from now on a write of
     * an older holder of the order's lock is refused.
     *
     * @throws StaleFencingTokenException when the ledger has seen a larger token for the order: nothing is written
     */
    void claim(String orderId, long fencingToken);

    /**
     * Records a payment made under {@code fencingToken} (positive, from the order's lock).
     *
     * @throws StaleFencingTokenException when the ledger has seen a larger token for the order: another holder took
     *                                    the order's lock over since this one was granted; nothing is written
     */
    void record(PaymentService.Payment payment, long fencingToken);
}
