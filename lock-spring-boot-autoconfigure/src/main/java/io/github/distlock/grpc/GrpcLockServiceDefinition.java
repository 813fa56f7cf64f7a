package io.github.distlock.grpc;

import java.io.InputStream;

import com.google.protobuf.Message;
import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The Lock API's service definition, like the generated {@code RuntimeGrpc.bindService} but answering a request
 * whose bytes are not a valid message (malformed protobuf, invalid UTF-8 in a string field) with
 * {@code INVALID_ARGUMENT}. grpc-java on its own answers those with {@code UNKNOWN} and logs each at ERROR with a
 * stack trace, which lets any client flood the log. Method names, schema (for reflection) and response encoding are
 * the generated ones.
 */
public final class GrpcLockServiceDefinition {

    private static final Log logger = LogFactory.getLog(GrpcLockServiceDefinition.class);

    // Stand-ins for a request that could not be parsed. Compared by identity: parsing always makes new instances.
    private static final TryLockRequest MALFORMED_TRY_LOCK = TryLockRequest.newBuilder().build();
    private static final UnlockRequest MALFORMED_UNLOCK = UnlockRequest.newBuilder().build();
    private static final LockKeepAliveRequest MALFORMED_KEEP_ALIVE = LockKeepAliveRequest.newBuilder().build();

    private GrpcLockServiceDefinition() {
    }

    /** The definition to add to a gRPC server for {@code service}. */
    public static ServerServiceDefinition of(RuntimeGrpc.AsyncService service) {
        var tryLock = tolerant(RuntimeGrpc.getTryLockMethod(), MALFORMED_TRY_LOCK);
        var unlock = tolerant(RuntimeGrpc.getUnlockMethod(), MALFORMED_UNLOCK);
        var keepAlive = tolerant(RuntimeGrpc.getLockKeepAliveMethod(), MALFORMED_KEEP_ALIVE);
        ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(RuntimeGrpc.SERVICE_NAME)
                .setSchemaDescriptor(RuntimeGrpc.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(tryLock)
                .addMethod(unlock)
                .addMethod(keepAlive)
                .build();
        return ServerServiceDefinition.builder(descriptor)
                .addMethod(tryLock, ServerCalls.asyncUnaryCall((request, responses) -> {
                    if (request == MALFORMED_TRY_LOCK) {
                        refuse(responses, "TryLockRequest");
                    } else {
                        service.tryLock(request, responses);
                    }
                }))
                .addMethod(unlock, ServerCalls.asyncUnaryCall((request, responses) -> {
                    if (request == MALFORMED_UNLOCK) {
                        refuse(responses, "UnlockRequest");
                    } else {
                        service.unlock(request, responses);
                    }
                }))
                .addMethod(keepAlive, ServerCalls.asyncUnaryCall((request, responses) -> {
                    if (request == MALFORMED_KEEP_ALIVE) {
                        refuse(responses, "LockKeepAliveRequest");
                    } else {
                        service.lockKeepAlive(request, responses);
                    }
                }))
                .build();
    }

    private static void refuse(StreamObserver<?> responses, String messageType) {
        responses.onError(Status.INVALID_ARGUMENT.withDescription("The request is not a valid " + messageType
                + " of spec.proto.runtime.v1 (malformed protobuf, or a string field that is not UTF-8)")
                .asRuntimeException());
    }

    private static <Q extends Message, R> MethodDescriptor<Q, R> tolerant(MethodDescriptor<Q, R> method, Q malformed) {
        MethodDescriptor.Marshaller<Q> generated = method.getRequestMarshaller();
        MethodDescriptor.Marshaller<Q> tolerant = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return generated.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return generated.parse(stream);
                } catch (StatusRuntimeException e) {
                    if (logger.isDebugEnabled()) {
                        logger.debug("Malformed " + method.getFullMethodName() + " request", e);
                    }
                    return malformed;
                }
            }
        };
        return method.toBuilder(tolerant, method.getResponseMarshaller()).build();
    }
}
