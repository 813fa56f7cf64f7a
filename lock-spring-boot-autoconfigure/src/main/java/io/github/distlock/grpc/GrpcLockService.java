package io.github.distlock.grpc;

import java.time.Duration;

import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.LockStoreNotConfiguredException;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.WaitingLockApi;
import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.LockKeepAliveResponse;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.NonBlockingLockStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.apache.commons.logging.LogFactory;

/**
 * The Lock API of Layotto's {@code runtime.proto} over gRPC, served by {@link DistributedLockClient}: the same
 * validation and key prefix as {@code @DistributedLock}, so both paths exclude each other on the same resource.
 *
 * <p>Errors, as Layotto maps them: no store configured: {@code FAILED_PRECONDITION}; a blank
 * {@code resource_id} or {@code lock_owner}, {@code expire <= 0}, an unknown {@code store_name}:
 * {@code INVALID_ARGUMENT} naming the field or store; a {@code wait_time_ms} below 0 or above
 * {@code max-wait-time}: {@code INVALID_ARGUMENT} naming the field and the cap; a store that cannot answer: {@code UNAVAILABLE} with the
 * cause; {@code max-concurrent-calls} calls to blocking stores already running: {@code RESOURCE_EXHAUSTED}. A store
 * failure is never turned into {@code success=false} or a status in the response, because the caller cannot tell
 * whether the operation took effect. Failures are logged at most once per store and cause per
 * {@code failure-log-interval}.
 *
 * <p>Threads: a method is called on the thread gRPC delivers the request on; {@link GrpcLockServer} delivers them
 * on its network event loop. Calls to a {@link NonBlockingLockStore} (in-memory) are served right there; calls to
 * any other store are handed to a {@link BoundedCallExecutor}, so a slow store never holds up the event loop; when
 * it is full the request is refused at once rather than queued. A TryLock with {@code wait_time_ms > 0} (our
 * extension) waits on a thread of a second, separately bounded pool ({@link WaitingTryLocks}), so that waits never
 * take the threads Unlock and the other calls need; when it is full such a TryLock is refused with
 * {@code RESOURCE_EXHAUSTED} naming {@code max-waiting-calls}.
 *
 * <p>Metrics carry the source tag {@link LockMetrics#SOURCE_GRPC} and record outcomes only (see
 * {@link LockMetrics.Recorder#tryLockAnswered}): a lock taken over gRPC is released by a later, unrelated request
 * or by its lease running out, so no held time is measured and the held-locks gauge counts the locks of
 * {@code @DistributedLock} and {@code LockTemplate} only.
 *
 * <p>Implements the generated {@link RuntimeGrpc.AsyncService}, not {@code BindableService}, so that Spring gRPC
 * does not also put it on the application's own gRPC server; {@link GrpcLockServer} serves it on its own port.
 * To serve it on another server, add {@link GrpcLockServiceDefinition#of} of it (malformed requests then answer
 * {@code INVALID_ARGUMENT} too). {@link #close()} stops its worker threads.
 */
public class GrpcLockService implements RuntimeGrpc.AsyncService, AutoCloseable {

    /** Default of {@code distributed-lock.grpc.max-concurrent-calls}. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 128;
    /** Default of {@code distributed-lock.grpc.failure-log-interval}. */
    public static final Duration DEFAULT_FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);
    /** Default of {@code distributed-lock.grpc.max-wait-time}: the largest {@code wait_time_ms} accepted. */
    public static final Duration DEFAULT_MAX_WAIT_TIME = Duration.ofSeconds(30);
    /** Default of {@code distributed-lock.grpc.max-waiting-calls}. */
    public static final int DEFAULT_MAX_WAITING_CALLS = 128;

    /** gRPC clients cap status trailers at a few KiB; store error messages may quote long values. */
    private static final int MAX_DESCRIPTION_CHARS = 1024;

    // Responses are immutable: one instance per possible answer, instead of one per request.
    private static final TryLockResponse TRY_LOCK_SUCCESS = TryLockResponse.newBuilder().setSuccess(true).build();
    private static final TryLockResponse TRY_LOCK_REFUSED = TryLockResponse.newBuilder().setSuccess(false).build();
    private static final UnlockResponse[] UNLOCK_RESPONSES = new UnlockResponse[LockStatus.values().length];
    private static final LockKeepAliveResponse[] KEEP_ALIVE_RESPONSES =
            new LockKeepAliveResponse[LockStatus.values().length];

    static {
        for (LockStatus status : LockStatus.values()) {
            UNLOCK_RESPONSES[status.ordinal()] = UnlockResponse.newBuilder().setStatus(unlockStatus(status)).build();
            KEEP_ALIVE_RESPONSES[status.ordinal()] = LockKeepAliveResponse.newBuilder()
                    .setStatus(keepAliveStatus(status)).build();
        }
    }

    private final DistributedLockClient client;
    private final LockRecorders.Source recorders;
    private final BoundedCallExecutor blockingCalls;
    private final FailureLog failures;
    private final WaitingLockApi locks;
    private final WaitingTryLocks waits;

    /** With the default bound and log interval. */
    public GrpcLockService(DistributedLockClient client, LockRecorders recorders) {
        this(client, recorders, DEFAULT_MAX_CONCURRENT_CALLS, DEFAULT_FAILURE_LOG_INTERVAL);
    }

    /**
     * @param recorders          the application's shared recorders; this service records with {@code source=grpc}
     * @param maxConcurrentCalls calls to blocking stores that may run at once (at least 1); more are refused with
     *                           {@code RESOURCE_EXHAUSTED}
     * @param failureLogInterval failed requests are logged at most once per store and cause within it
     */
    public GrpcLockService(DistributedLockClient client, LockRecorders recorders, int maxConcurrentCalls,
            Duration failureLogInterval) {
        this(client, new WaitingLockApi(client), recorders, maxConcurrentCalls, failureLogInterval,
                DEFAULT_MAX_WAIT_TIME, DEFAULT_MAX_WAITING_CALLS);
    }

    /**
     * @param locks           TryLock with a wait and Unlock; from the application's {@code LockTemplate}, so that
     *                        gRPC waiters queue with its waiters
     * @param maxWaitTime     the largest {@code wait_time_ms} accepted (zero or more; zero accepts none)
     * @param maxWaitingCalls TryLocks with a wait that may run at once (at least 1); more are refused with
     *                        {@code RESOURCE_EXHAUSTED}
     */
    public GrpcLockService(DistributedLockClient client, WaitingLockApi locks, LockRecorders recorders,
            int maxConcurrentCalls, Duration failureLogInterval, Duration maxWaitTime, int maxWaitingCalls) {
        this.client = client;
        this.locks = locks;
        this.waits = new WaitingTryLocks(locks, maxWaitTime, maxWaitingCalls);
        this.recorders = recorders.forSource(LockMetrics.SOURCE_GRPC);
        this.blockingCalls = new BoundedCallExecutor(maxConcurrentCalls);
        this.failures = new FailureLog(LogFactory.getLog(GrpcLockService.class), failureLogInterval,
                System::nanoTime);
    }

    @Override
    public void tryLock(TryLockRequest request, StreamObserver<TryLockResponse> responseObserver) {
        if (request.getWaitTimeMs() != 0) {
            tryLockWaiting(request, responseObserver);
            return;
        }
        dispatch(request.getStoreName(), "TryLock", responseObserver, () -> serveTryLock(request, responseObserver));
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> responseObserver) {
        dispatch(request.getStoreName(), "Unlock", responseObserver, () -> serveUnlock(request, responseObserver));
    }

    @Override
    public void lockKeepAlive(LockKeepAliveRequest request, StreamObserver<LockKeepAliveResponse> responseObserver) {
        dispatch(request.getStoreName(), "LockKeepAlive", responseObserver,
                () -> serveKeepAlive(request, responseObserver));
    }

    /** The calls to blocking stores that may run at once. */
    public int maxConcurrentCalls() {
        return blockingCalls.maxConcurrentCalls();
    }

    /** The calls to blocking stores running now. */
    public int runningCalls() {
        return blockingCalls.running();
    }

    /** The TryLocks with a wait that may run at once. */
    public int maxWaitingCalls() {
        return waits.maxWaitingCalls();
    }

    /** TryLocks with a wait running now. */
    public int waitingCalls() {
        return waits.waiting();
    }

    /**
     * Ends every wait now (their callers get {@code UNAVAILABLE}) and refuses new ones until {@link #acceptWaits}: the
     * first step of the server's shutdown, so that waits do not hold it up for its grace period.
     */
    public void endWaits() {
        waits.endAll();
    }

    /** Takes TryLocks with a wait again after {@link #endWaits}. */
    public void acceptWaits() {
        waits.accept();
    }

    /**
     * Stops the worker threads once their calls are done (ending waits at once); later calls to blocking stores, and
     * TryLocks with a wait, are refused.
     */
    @Override
    public void close() {
        waits.close();
        blockingCalls.close();
    }

    private void tryLockWaiting(TryLockRequest request, StreamObserver<TryLockResponse> responseObserver) {
        String invalid = waits.invalidWaitTime(request.getWaitTimeMs());
        if (invalid != null) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(invalid).asRuntimeException());
            return;
        }
        long start = System.nanoTime();
        if (!waits.start(request, responseObserver,
                (token, failure) -> answerTryLock(request, responseObserver, start, token, failure))) {
            String message = "TryLock refused: the Lock API server is already serving its maximum of "
                    + waits.maxWaitingCalls() + " TryLocks with a wait (" + GrpcLockServerProperties.PREFIX
                    + ".max-waiting-calls); try again later";
            failures.warn("saturated-waits", () -> message);
            responseObserver.onError(Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException());
        }
    }

    /** Serves {@code call} here when the store does not block, else on a worker thread if one is free. */
    private void dispatch(String storeName, String operation, StreamObserver<?> responseObserver, Runnable call) {
        if (servedInline(storeName)) {
            call.run();
            return;
        }
        if (!blockingCalls.tryExecute(call)) {
            String message = operation + " refused: the Lock API server is already serving its maximum of "
                    + blockingCalls.maxConcurrentCalls() + " concurrent calls to blocking stores ("
                    + GrpcLockServerProperties.PREFIX + ".max-concurrent-calls); try again later";
            failures.warn("saturated", () -> message);
            responseObserver.onError(Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException());
        }
    }

    /** Non-blocking stores, and requests that fail before reaching a store (unknown store), are served inline. */
    private boolean servedInline(String storeName) {
        try {
            return client.store(storeName) instanceof NonBlockingLockStore;
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void serveTryLock(TryLockRequest request, StreamObserver<TryLockResponse> responseObserver) {
        long start = System.nanoTime();
        long token;
        try {
            token = client.tryLockFenced(new io.github.distlock.api.TryLockRequest(request.getStoreName(),
                    request.getResourceId(), request.getLockOwner(), request.getExpire()));
        } catch (RuntimeException e) {
            answerTryLock(request, responseObserver, start, FencedLockStore.NOT_ACQUIRED, e);
            return;
        }
        answerTryLock(request, responseObserver, start, token, null);
    }

    /** Answers a TryLock with its grant's token (or NOT_ACQUIRED), or with its failure. */
    private void answerTryLock(TryLockRequest request, StreamObserver<TryLockResponse> responseObserver, long start,
            long token, RuntimeException failure) {
        if (failure instanceof LockStoreException e) {
            recorder(e.getStoreName()).acquireFailed(System.nanoTime() - start);
        }
        if (failure != null) {
            responseObserver.onError(toStatus(failure, "TryLock"));
            return;
        }
        boolean success = token != FencedLockStore.NOT_ACQUIRED;
        recorder(request.getStoreName()).tryLockAnswered(success, System.nanoTime() - start);
        // fencing_token is our extension field (README, "Fencing tokens"); absent (0) when refused or not fenced.
        reply(responseObserver, !success ? TRY_LOCK_REFUSED : token == DistributedLockClient.NO_FENCING_TOKEN
                ? TRY_LOCK_SUCCESS : TryLockResponse.newBuilder().setSuccess(true).setFencingToken(token).build());
    }

    private void serveUnlock(UnlockRequest request, StreamObserver<UnlockResponse> responseObserver) {
        LockStatus status;
        try {
            // Through the waiting API, so that a lock a waiting TryLock took passes on to this JVM's next waiter.
            status = locks.unlock(new io.github.distlock.api.UnlockRequest(request.getStoreName(),
                    request.getResourceId(), request.getLockOwner()));
        } catch (LockStoreException e) {
            recorder(e.getStoreName()).unlockFailed();
            responseObserver.onError(toStatus(e, "Unlock"));
            return;
        } catch (RuntimeException e) {
            responseObserver.onError(toStatus(e, "Unlock"));
            return;
        }
        recorder(request.getStoreName()).unlockAnswered(status);
        reply(responseObserver, UNLOCK_RESPONSES[status.ordinal()]);
    }

    private void serveKeepAlive(LockKeepAliveRequest request,
            StreamObserver<LockKeepAliveResponse> responseObserver) {
        LockStatus status;
        try {
            status = client.keepAlive(new io.github.distlock.api.LockKeepAliveRequest(request.getStoreName(),
                    request.getResourceId(), request.getLockOwner(), request.getExpire())).status();
        } catch (LockStoreException e) {
            recorder(e.getStoreName()).keepAliveFailed();
            responseObserver.onError(toStatus(e, "LockKeepAlive"));
            return;
        } catch (RuntimeException e) {
            responseObserver.onError(toStatus(e, "LockKeepAlive"));
            return;
        }
        recorder(request.getStoreName()).keepAliveAnswered(status);
        reply(responseObserver, KEEP_ALIVE_RESPONSES[status.ordinal()]);
    }

    /** The gRPC error for a failed request; see the class comment for the mapping. */
    private StatusRuntimeException toStatus(RuntimeException e, String operation) {
        Status status;
        if (e instanceof LockStoreNotConfiguredException) {
            status = Status.FAILED_PRECONDITION;
        } else if (e instanceof InvalidLockRequestException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof LockStoreException storeFailure) {
            // The client sees the message, the operator needs it too; no stack trace (an outage fails every request
            // the same way), and once per store and cause per interval.
            failures.warn(storeFailure.getStoreName() + "|" + rootCause(e).getClass().getName(),
                    () -> operation + " over gRPC failed: " + e.getMessage());
            status = Status.UNAVAILABLE;
        } else {
            failures.error("unexpected|" + e.getClass().getName(),
                    () -> operation + " over gRPC failed unexpectedly", e);
            status = Status.INTERNAL;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return status.withDescription(truncate(message)).withCause(e).asRuntimeException();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        return root;
    }

    private static String truncate(String message) {
        return message.length() <= MAX_DESCRIPTION_CHARS ? message
                : message.substring(0, MAX_DESCRIPTION_CHARS) + "... (" + message.length() + " chars)";
    }

    private static <T> void reply(StreamObserver<T> responseObserver, T response) {
        responseObserver.onNext(response);
        responseObserver.onCompleted();
    }

    /** Asked only once the store answered or failed, so only configured stores get meters. */
    private LockMetrics.Recorder recorder(String requestedStore) {
        return recorders.recorder(client.resolveStoreName(requestedStore));
    }

    // Explicit mappings rather than ordinals: the wire numbers are a contract, the Java enum is not.
    static UnlockResponse.Status unlockStatus(LockStatus status) {
        return switch (status) {
            case SUCCESS -> UnlockResponse.Status.SUCCESS;
            case LOCK_UNEXIST -> UnlockResponse.Status.LOCK_UNEXIST;
            case LOCK_BELONG_TO_OTHERS -> UnlockResponse.Status.LOCK_BELONG_TO_OTHERS;
            case INTERNAL_ERROR -> UnlockResponse.Status.INTERNAL_ERROR;
        };
    }

    static LockKeepAliveResponse.Status keepAliveStatus(LockStatus status) {
        return switch (status) {
            case SUCCESS -> LockKeepAliveResponse.Status.SUCCESS;
            case LOCK_UNEXIST -> LockKeepAliveResponse.Status.LOCK_UNEXIST;
            case LOCK_BELONG_TO_OTHERS -> LockKeepAliveResponse.Status.LOCK_BELONG_TO_OTHERS;
            case INTERNAL_ERROR -> LockKeepAliveResponse.Status.INTERNAL_ERROR;
        };
    }
}
