package io.github.distlock.grpc;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.LockStoreNotConfiguredException;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The Lock API of Layotto's {@code runtime.proto} over gRPC, served by {@link DistributedLockClient}: the same
 * validation and key prefix as {@code @DistributedLock}, so both paths exclude each other on the same resource.
 *
 * <p>Errors, as Layotto maps them: no store configured: {@code FAILED_PRECONDITION}; a blank
 * {@code resource_id} or {@code lock_owner}, {@code expire <= 0}, an unknown {@code store_name}:
 * {@code INVALID_ARGUMENT} naming the field or store; a store that cannot answer: {@code UNAVAILABLE} with the
 * cause. A store failure is never turned into {@code success=false} or a status in the response, because the caller
 * cannot tell whether the operation took effect.
 *
 * <p>Metrics carry the source tag {@link LockMetrics#SOURCE_GRPC} and record outcomes only (see
 * {@link LockMetrics.Recorder#tryLockAnswered}): a lock taken over gRPC is released by a later, unrelated request
 * or by its lease running out, so no held time is measured and the held-locks gauge counts the locks of
 * {@code @DistributedLock} and {@code LockTemplate} only.
 *
 * <p>Implements the generated {@link RuntimeGrpc.AsyncService}, not {@code BindableService}, so that Spring gRPC
 * does not also put it on the application's own gRPC server; {@link GrpcLockServer} serves it on its own port.
 * To serve it on another server, add {@link GrpcLockServiceDefinition#of} of it (malformed requests then answer
 * {@code INVALID_ARGUMENT} too).
 */
public class GrpcLockService implements RuntimeGrpc.AsyncService {

    private static final Log logger = LogFactory.getLog(GrpcLockService.class);

    /** gRPC clients cap status trailers at a few KiB; store error messages may quote long values. */
    private static final int MAX_DESCRIPTION_CHARS = 1024;

    private final DistributedLockClient client;
    private final LockRecorders.Source recorders;

    /** @param recorders the application's shared recorders; this service records with {@code source=grpc} */
    public GrpcLockService(DistributedLockClient client, LockRecorders recorders) {
        this.client = client;
        this.recorders = recorders.forSource(LockMetrics.SOURCE_GRPC);
    }

    @Override
    public void tryLock(TryLockRequest request, StreamObserver<TryLockResponse> responseObserver) {
        long start = System.nanoTime();
        long token;
        try {
            token = client.tryLockFenced(new io.github.distlock.api.TryLockRequest(request.getStoreName(),
                    request.getResourceId(), request.getLockOwner(), request.getExpire()));
        } catch (LockStoreException e) {
            recorder(e.getStoreName()).acquireFailed(System.nanoTime() - start);
            responseObserver.onError(toStatus(e, "TryLock"));
            return;
        } catch (RuntimeException e) {
            responseObserver.onError(toStatus(e, "TryLock"));
            return;
        }
        boolean success = token != FencedLockStore.NOT_ACQUIRED;
        recorder(request.getStoreName()).tryLockAnswered(success, System.nanoTime() - start);
        // fencing_token is our extension field (README, "Fencing tokens"); 0 when not acquired or not fenced.
        reply(responseObserver, TryLockResponse.newBuilder().setSuccess(success)
                .setFencingToken(success ? token : DistributedLockClient.NO_FENCING_TOKEN).build());
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> responseObserver) {
        LockStatus status;
        try {
            status = client.unlock(new io.github.distlock.api.UnlockRequest(request.getStoreName(),
                    request.getResourceId(), request.getLockOwner())).status();
        } catch (LockStoreException e) {
            recorder(e.getStoreName()).unlockFailed();
            responseObserver.onError(toStatus(e, "Unlock"));
            return;
        } catch (RuntimeException e) {
            responseObserver.onError(toStatus(e, "Unlock"));
            return;
        }
        recorder(request.getStoreName()).unlockAnswered(status);
        reply(responseObserver, UnlockResponse.newBuilder().setStatus(unlockStatus(status)).build());
    }

    @Override
    public void lockKeepAlive(LockKeepAliveRequest request, StreamObserver<LockKeepAliveResponse> responseObserver) {
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
        reply(responseObserver, LockKeepAliveResponse.newBuilder().setStatus(keepAliveStatus(status)).build());
    }

    /** The gRPC error for a failed request; see the class comment for the mapping. */
    static StatusRuntimeException toStatus(RuntimeException e, String operation) {
        Status status;
        if (e instanceof LockStoreNotConfiguredException) {
            status = Status.FAILED_PRECONDITION;
        } else if (e instanceof InvalidLockRequestException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof LockStoreException) {
            // Logged once here: the client sees the message, the operator needs it too. No stack trace: an outage
            // fails every request the same way.
            logger.warn(operation + " over gRPC failed: " + e.getMessage());
            status = Status.UNAVAILABLE;
        } else {
            logger.error(operation + " over gRPC failed unexpectedly", e);
            status = Status.INTERNAL;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return status.withDescription(truncate(message)).withCause(e).asRuntimeException();
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
