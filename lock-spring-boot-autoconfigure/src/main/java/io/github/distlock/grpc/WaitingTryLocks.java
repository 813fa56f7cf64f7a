package io.github.distlock.grpc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.api.LockStatus;
import io.github.distlock.core.WaitingLockApi;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.spi.FencedLockStore;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The TryLocks that wait ({@code wait_time_ms > 0}, a distlock extension of the Lock API): each waits on a thread of
 * its own, through {@link WaitingLockApi}, so in the same line as this application's {@code @DistributedLock} and
 * {@code LockTemplate} waiters.
 *
 * <p>Waiting calls have their own {@link BoundedCallExecutor} ({@code max-waiting-calls}), apart from the one for
 * calls to blocking stores: a wait holds its thread for up to {@code max-wait-time}, and if waits could fill the
 * shared bound, the Unlock that would end them would be refused.
 *
 * <p>A wait ends at once when its call is cancelled or passes its deadline (the call's {@link Context} is cancelled,
 * and the waiting thread is interrupted), and when the server shuts down ({@link #endAll}: the caller gets
 * {@code UNAVAILABLE}). A lock granted just as the wait was ended is released by an Unlock for the caller's owner, so
 * nothing is held for a caller that will never know. The caller's own cancellation can still cross an answer already
 * on its way (as with any TryLock): a caller whose waiting TryLock ends in {@code CANCELLED} or
 * {@code DEADLINE_EXCEEDED} may send Unlock for its owner, which answers {@code LOCK_UNEXIST} when nothing was held.
 */
final class WaitingTryLocks implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(WaitingTryLocks.class);

    /** What the service answers for a wait that was not ended: the token (or NOT_ACQUIRED), or the failure. */
    @FunctionalInterface
    interface Answer {
        void answer(long token, RuntimeException failure);
    }

    private final WaitingLockApi locks;
    private final Duration maxWait;
    private final BoundedCallExecutor threads;
    private final Set<Call> running = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    /**
     * @param maxWait         the largest {@code wait_time_ms} accepted; zero accepts none
     * @param maxWaitingCalls waits that may run at once, at least 1
     */
    WaitingTryLocks(WaitingLockApi locks, Duration maxWait, int maxWaitingCalls) {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
        this.locks = locks;
        this.maxWait = maxWait;
        this.threads = new BoundedCallExecutor(maxWaitingCalls, "distlock-grpc-wait-");
    }

    /** Why {@code waitTimeMs} is refused, naming the field and the cap; {@code null} when it is accepted. */
    String invalidWaitTime(long waitTimeMs) {
        if (waitTimeMs >= 0 && waitTimeMs <= maxWait.toMillis()) {
            return null;
        }
        return "wait_time_ms must be between 0 and " + maxWait.toMillis() + " milliseconds (the server's "
                + GrpcLockServerProperties.PREFIX + ".max-wait-time, " + maxWait + "), got " + waitTimeMs;
    }

    /**
     * Starts the wait of {@code request} (its {@code wait_time_ms} accepted and positive) on a thread of its own; the
     * call of the current {@link Context} ending ends it.
     *
     * @return false when {@code max-waiting-calls} waits run already: nothing was started, nothing answered
     */
    boolean start(TryLockRequest request, StreamObserver<TryLockResponse> responses, Answer answer) {
        if (ended) {
            responses.onError(shuttingDown().asRuntimeException());
            return true;
        }
        Call call = new Call(request, responses, answer, Context.current());
        running.add(call);
        if (ended) { // endAll() ran between the two looks, maybe without seeing this call
            call.end(shuttingDown());
        }
        call.context.addListener(call, Runnable::run); // at once when already cancelled
        if (threads.tryExecute(call)) {
            return true;
        }
        call.context.removeListener(call);
        running.remove(call);
        return false;
    }

    int maxWaitingCalls() {
        return threads.maxConcurrentCalls();
    }

    /** Waits running now. */
    int waiting() {
        return running.size();
    }

    /** Ends every wait now and refuses new ones with {@code UNAVAILABLE} until {@link #accept}: the server stops. */
    void endAll() {
        ended = true;
        Status status = shuttingDown();
        for (Call call : running) {
            call.end(status);
        }
    }

    /** Takes waits again after {@link #endAll}: the server started again. */
    void accept() {
        ended = false;
    }

    /** Ends every wait and stops the threads. */
    @Override
    public void close() {
        endAll();
        threads.close();
    }

    private static Status shuttingDown() {
        return Status.UNAVAILABLE.withDescription("TryLock stopped waiting: the Lock API server is shutting down; "
                + "the lock was not taken");
    }

    /** One waiting TryLock; ended by its context's cancellation (it listens to it) or by {@link #endAll}. */
    private final class Call implements Runnable, Context.CancellationListener {

        private final TryLockRequest request;
        private final StreamObserver<TryLockResponse> responses;
        private final Answer answer;
        private final Context context;
        /** Guarded by this, as the fields below: the waiting thread, while it waits. */
        private Thread thread;
        private boolean finished;
        /** Why the wait was ended; null while it runs its course. */
        private Status endedBy;

        private Call(TryLockRequest request, StreamObserver<TryLockResponse> responses, Answer answer,
                Context context) {
            this.request = request;
            this.responses = responses;
            this.answer = answer;
            this.context = context;
        }

        @Override
        public void cancelled(Context context) {
            end(Status.CANCELLED.withDescription("the call was cancelled or passed its deadline"));
        }

        /** The interrupt is only ever sent while {@link #thread} runs this call: never to a pool thread's next call. */
        synchronized void end(Status why) {
            if (finished || endedBy != null) {
                return;
            }
            endedBy = why;
            if (thread != null) {
                thread.interrupt();
            }
        }

        @Override
        public void run() {
            long token = FencedLockStore.NOT_ACQUIRED;
            RuntimeException failure = null;
            try {
                boolean endedEarly;
                synchronized (this) {
                    endedEarly = endedBy != null;
                    thread = Thread.currentThread();
                }
                if (!endedEarly) {
                    token = locks.tryLock(new io.github.distlock.api.TryLockRequest(request.getStoreName(),
                            request.getResourceId(), request.getLockOwner(), request.getExpire()),
                            Duration.ofMillis(request.getWaitTimeMs()));
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            Status ended;
            synchronized (this) {
                thread = null;
                finished = true;
                ended = endedBy;
            }
            Thread.interrupted(); // only end() interrupts, and only until finished: the flag is ours to clear
            context.removeListener(this);
            try {
                if (ended == null) {
                    answer.answer(token, failure);
                    return;
                }
                if (failure == null && token != FencedLockStore.NOT_ACQUIRED) {
                    unlockForTheCaller();
                }
                if (!context.isCancelled()) {
                    responses.onError(ended.asRuntimeException());
                }
            } finally {
                running.remove(this); // counted until the clean-up Unlock is done
            }
        }

        /**
         * Granted as the wait was ended: the caller will not learn that it holds the lock, so release it. Its owner
         * is the caller's; the lock was taken by this very call, after no other grant to that owner could have
         * been (TryLock refuses a held lock to its owner too).
         */
        private void unlockForTheCaller() {
            try {
                LockStatus status = locks.unlock(new io.github.distlock.api.UnlockRequest(request.getStoreName(),
                        request.getResourceId(), request.getLockOwner()));
                logger.debug("Lock '" + request.getResourceId() + "' granted to a TryLock whose wait was ended: "
                        + "Unlock for its owner answered " + status);
            } catch (RuntimeException e) {
                logger.warn("Lock '" + request.getResourceId() + "' was granted to a TryLock whose wait was ended, "
                        + "and the Unlock for its owner failed; it ends with its lease of " + request.getExpire()
                        + " s", e);
            }
        }
    }
}
