package io.github.distlock.readme;

import io.github.distlock.annotation.DistributedLock;

import org.springframework.stereotype.Service;

// The example of the README's "Quick start", compiled and run by ReadmeSnippetsTest; keep them equal.
@Service
public class PaymentService {

    /** At most one call per order at a time, on every instance; waits up to 5 s for the lock, then throws. */
    @DistributedLock(key = "'order:' + #orderId", expire = "30s", waitTime = "5s")
    public Payment pay(String orderId, long amountCents) {
        // "Already paid?", charge, record: the steps that must not interleave for one order.
        return new Payment(orderId, amountCents);
    }

    public record Payment(String orderId, long amountCents) {
    }
}
