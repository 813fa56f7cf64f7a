package io.github.distlock.transaction;

import java.util.List;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLostException;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockWatchdog;

import org.springframework.core.Ordered;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Keeps a Spring transaction begun inside a lock from committing after the lock was lost. When a transaction begins
 * on a thread that holds locks ({@link CurrentLock}: {@code @DistributedLock} methods, {@code executeLocked}
 * callbacks), a synchronization is registered that checks each of them just before the commit
 * ({@link LockWatchdog#verifyHeld}: the watchdog's state when the store confirmed the lock within the last tenth of
 * its lease, otherwise one LockKeepAlive); a lost lock makes the commit fail with {@link LockLostException}, and the
 * transaction rolls back. Read-only transactions are not checked.
 *
 * <p>A window remains between that check and the commit itself (the commit's own round trip, a pause in between):
 * only a resource that checks a fencing token closes it.
 *
 * <p>Spring Boot adds {@code TransactionExecutionListener} beans to the transaction managers it configures; add this
 * one to a transaction manager of your own with {@code addListener}.
 */
public class LockCheckingTransactionListener implements TransactionExecutionListener {

    @Override
    public void afterBegin(TransactionExecution transaction, Throwable beginFailure) {
        if (beginFailure != null || !transaction.isNewTransaction() || transaction.isReadOnly()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        List<LockHandle> locks = CurrentLock.all();
        if (!locks.isEmpty()) {
            TransactionSynchronizationManager.registerSynchronization(new LockCheck(locks));
        }
    }

    /** Checks the locks held when the transaction began, last before the commit. */
    private record LockCheck(List<LockHandle> locks) implements TransactionSynchronization {

        @Override
        public void beforeCommit(boolean readOnly) {
            for (LockHandle lock : locks) {
                if (lock.holdCount() > 0) { // 0: released, so the transaction outlived it; nothing to check
                    LockWatchdog.verifyHeld(lock);
                }
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE; // after the others' beforeCommit (a JPA flush, say): closest to the commit
        }
    }
}
