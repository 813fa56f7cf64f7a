package io.github.distlock.readme;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockTemplate;

import org.springframework.stereotype.Service;

// The example of the README's "Locking from code", compiled and run by LockingFromCodeReadmeTest; keep them equal.
@Service
public class SettlementService {

    private final LockTemplate locks;

    public SettlementService(LockTemplate locks) {
        this.locks = locks;
    }

    /** Waits up to 5 s for the lock; LockNotAcquiredException if another owner keeps it that long. */
    public String settle(String orderId) {
        return locks.executeLocked("order:" + orderId, LockOptions.waitFor(Duration.ofSeconds(5)),
                lock -> book(orderId));
    }

    /** One instance runs the batch; the others skip it. The lease is renewed while the lock is held. */
    public boolean settleBatch(String batchId, List<String> orderIds) {
        LockOptions options = LockOptions.builder().expire(Duration.ofMinutes(2)).build();
        Optional<LockHandle> taken = locks.tryAcquire("batch:" + batchId, options);
        if (taken.isEmpty()) {
            return false;
        }
        try (LockHandle lock = taken.get()) {
            for (String orderId : orderIds) {
                if (!lock.isHeld()) {
                    return false; // lost (store down past the lease, say): another instance may take over
                }
                book(orderId);
            }
        }
        return true;
    }

    private String book(String orderId) {
        // Deep in the call, the lock it runs under (innermost first), without passing it along:
        String heldBy = CurrentLock.get().map(LockHandle::owner).orElse("no lock");
        return "booked " + orderId + " under " + heldBy;
    }
}
