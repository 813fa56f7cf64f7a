package io.github.distlock.grpc;

import java.util.concurrent.TimeUnit;

import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.function.Executable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A real plaintext channel to the Lock API on loopback, with the generated blocking stub and request builders. */
final class LockApiChannel implements AutoCloseable {

    final ManagedChannel channel;
    final RuntimeGrpc.RuntimeBlockingStub stub;

    LockApiChannel(int port) {
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
        stub = RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** A stub with a fresh deadline, for use after long loops. */
    RuntimeGrpc.RuntimeBlockingStub stub() {
        return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static TryLockRequest tryLock(String store, String resource, String owner, int expire) {
        return TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner)
                .setExpire(expire).build();
    }

    static UnlockRequest unlock(String store, String resource, String owner) {
        return UnlockRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner).build();
    }

    static LockKeepAliveRequest keepAlive(String store, String resource, String owner, int expire) {
        return LockKeepAliveRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner)
                .setExpire(expire).build();
    }

    /** Asserts that {@code call} fails with {@code code} and a description containing {@code text}. */
    static StatusRuntimeException assertStatus(Status.Code code, String text, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).contains(text);
        return e;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }
}
