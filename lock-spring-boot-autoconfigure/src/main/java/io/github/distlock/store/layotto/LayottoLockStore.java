package io.github.distlock.store.layotto;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.QuotedValue;
import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.LockKeepAliveResponse;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.spi.LockStore;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Locks held by a sidecar that serves the Lock API of Layotto's {@code runtime.proto}
 * ({@code spec.proto.runtime.v1.Runtime}: TryLock, Unlock, LockKeepAlive): a Layotto sidecar, or another
 * application of this project with {@code distributed-lock.grpc.enabled}. Each operation is one unary call on the
 * store's channel, bounded by the deadline; the sidecar's own store decides, so the guarantees are the sidecar
 * store's.
 *
 * <p>Answers map one to one: TryLock's {@code success}; Unlock's and LockKeepAlive's {@code SUCCESS},
 * {@code LOCK_UNEXIST}, {@code LOCK_BELONG_TO_OTHERS}. {@code INTERNAL_ERROR} (the sidecar could not tell) and every
 * gRPC error throw {@link LockStoreException} with the code and the sidecar's description ({@link Sidecar}).
 *
 * <p>LockKeepAlive: Layotto's own sidecar does not implement it (it answers an empty response, which reads as
 * {@code SUCCESS}, or {@code UNIMPLEMENTED}). The store finds out once, at startup, or at first use when the
 * sidecar was not reachable then, with a LockKeepAlive for a fresh key and owner that nobody can hold: an
 * implementation answers {@code LOCK_UNEXIST}. Without one, the store logs a warning once, sends no LockKeepAlive,
 * and {@link #keepAlive} throws {@link LockStoreException} saying so: a lock then lasts the {@code expire} it was
 * taken with, and is never renewed. (Answering {@code SUCCESS} would be a lie: the lease would still end.)
 *
 * <p>When the sidecar restarts, calls fail with {@code UNAVAILABLE} while it is down and work again once it is
 * back; a call made while the channel is backing off from failed connections makes it reconnect at once rather than
 * wait out the back-off, which grows to minutes.
 */
public class LayottoLockStore implements LockStore, AutoCloseable {

    private static final Log logger = LogFactory.getLog(LayottoLockStore.class);

    /** Prefix of the keys of the calls that find out what the sidecar implements. */
    static final String PROBE_KEY_PREFIX = "distlock-probe-";

    /** Whether the sidecar implements LockKeepAlive. */
    public enum KeepAliveSupport {
        /** Not found out yet: the sidecar has not been reachable. */
        UNKNOWN,
        /** LockKeepAlive renews leases. */
        IMPLEMENTED,
        /** LockKeepAlive is missing: locks last their {@code expire} and {@link #keepAlive} throws. */
        NOT_IMPLEMENTED
    }

    private final ManagedChannel channel;
    private final RuntimeGrpc.RuntimeBlockingStub stub;
    private final Sidecar sidecar;
    private final long deadlineNanos;
    private final AtomicReference<KeepAliveSupport> keepAliveSupport =
            new AtomicReference<>(KeepAliveSupport.UNKNOWN);
    private final AtomicBoolean probing = new AtomicBoolean();

    /** @param channel the channel to {@code sidecar}, closed with the store */
    LayottoLockStore(ManagedChannel channel, Sidecar sidecar) {
        this.channel = channel;
        this.stub = RuntimeGrpc.newBlockingStub(channel);
        this.sidecar = sidecar;
        this.deadlineNanos = sidecar.deadline().toNanos();
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        TryLockRequest request = TryLockRequest.newBuilder().setStoreName(sidecar.sidecarStoreName())
                .setResourceId(key).setLockOwner(owner).setExpire(expireSeconds).build();
        boolean success = call("TryLock", key, stub -> stub.tryLock(request)).getSuccess();
        probeKeepAliveOnFirstUse();
        return success;
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        UnlockResponse response = call("Unlock", key, stub -> stub.unlock(unlockRequest(key, owner)));
        LockStatus status = switch (response.getStatus()) {
            case SUCCESS -> LockStatus.SUCCESS;
            case LOCK_UNEXIST -> LockStatus.LOCK_UNEXIST;
            case LOCK_BELONG_TO_OTHERS -> LockStatus.LOCK_BELONG_TO_OTHERS;
            default -> throw sidecar.undecided("Unlock", key, response.getStatus());
        };
        probeKeepAliveOnFirstUse();
        return status;
    }

    /**
     * Renews through the sidecar's LockKeepAlive.
     *
     * @throws LockStoreException when the sidecar does not implement LockKeepAlive (nothing is sent), or is not
     *                            reachable to find out, or the call fails
     */
    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        if (keepAliveSupport.get() == KeepAliveSupport.UNKNOWN) {
            checkKeepAlive();
        }
        if (keepAliveSupport.get() == KeepAliveSupport.NOT_IMPLEMENTED) {
            throw keepAliveNotImplemented(key);
        }
        LockKeepAliveResponse response;
        try {
            response = withDeadline().lockKeepAlive(keepAliveRequest(key, owner, expireSeconds));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                found(KeepAliveSupport.NOT_IMPLEMENTED, "answered UNIMPLEMENTED");
                throw keepAliveNotImplemented(key);
            }
            throw sidecar.failure("LockKeepAlive", key, e);
        }
        return switch (response.getStatus()) {
            case SUCCESS -> LockStatus.SUCCESS;
            case LOCK_UNEXIST -> LockStatus.LOCK_UNEXIST;
            case LOCK_BELONG_TO_OTHERS -> LockStatus.LOCK_BELONG_TO_OTHERS;
            default -> throw sidecar.undecided("LockKeepAlive", key, response.getStatus());
        };
    }

    /** What is known of the sidecar's LockKeepAlive. */
    public KeepAliveSupport keepAliveSupport() {
        return keepAliveSupport.get();
    }

    /** The sidecar's {@code host:port}. */
    public String address() {
        return sidecar.address();
    }

    /**
     * Checks the sidecar at startup: an Unlock of a fresh key (which nobody holds) shows that it serves the Lock API
     * and knows the store name, then {@link #checkKeepAlive()}.
     *
     * @throws InvalidLockConfigurationException when the server does not serve the Lock API or refuses the store
     *                                           name
     * @throws LockStoreException                when the sidecar does not answer
     */
    void verify() {
        String key = probeKey();
        try {
            withDeadline().unlock(unlockRequest(key, UUID.randomUUID().toString()));
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION) {
                throw new InvalidLockConfigurationException(sidecar.property("store-name"), "The sidecar at "
                        + sidecar.address() + " refused the store name (" + sidecar.describeSidecarStore() + "): "
                        + code + ": " + e.getStatus().getDescription() + ".",
                        "Set it to the name of a lock store configured in the sidecar (in Layotto's configuration, "
                                + "or distributed-lock.stores.<name> of a distlock sidecar; empty means a distlock "
                                + "sidecar's default store).");
            }
            if (code == Status.Code.UNIMPLEMENTED) {
                throw new InvalidLockConfigurationException(sidecar.property("address"), "The server at "
                        + sidecar.address() + " does not serve the Lock API: Unlock answered UNIMPLEMENTED.",
                        "Point it at a Layotto sidecar, or at an application with distributed-lock.grpc.enabled=true.");
            }
            throw sidecar.failure("Unlock", key, e);
        }
        checkKeepAlive();
    }

    /**
     * Finds out whether the sidecar implements LockKeepAlive (see the class comment), logging once when it does not.
     *
     * @throws LockStoreException when the sidecar does not answer
     */
    public KeepAliveSupport checkKeepAlive() {
        String key = probeKey();
        LockKeepAliveResponse response;
        try {
            response = withDeadline().lockKeepAlive(keepAliveRequest(key, UUID.randomUUID().toString(), 1));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw sidecar.failure("LockKeepAlive", key, e);
            }
            return found(KeepAliveSupport.NOT_IMPLEMENTED, "answered UNIMPLEMENTED");
        }
        return switch (response.getStatus()) {
            case LOCK_UNEXIST, LOCK_BELONG_TO_OTHERS -> found(KeepAliveSupport.IMPLEMENTED, "");
            case SUCCESS -> found(KeepAliveSupport.NOT_IMPLEMENTED,
                    "answered SUCCESS (or an empty response) for a lock that nobody holds");
            default -> throw sidecar.undecided("LockKeepAlive", key, response.getStatus());
        };
    }

    /** Whether the sidecar answers an Unlock (of a fresh key, which nobody holds) within the deadline. */
    void checkReachable() {
        String key = probeKey();
        call("Unlock", key, stub -> stub.unlock(unlockRequest(key, UUID.randomUUID().toString())));
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(deadlineNanos, TimeUnit.NANOSECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "layotto lock store '" + sidecar.storeName() + "' (sidecar " + sidecar.address() + ")";
    }

    private <T> T call(String operation, String key, Function<RuntimeGrpc.RuntimeBlockingStub, T> rpc) {
        try {
            return rpc.apply(withDeadline());
        } catch (StatusRuntimeException e) {
            throw sidecar.failure(operation, key, e);
        }
    }

    private RuntimeGrpc.RuntimeBlockingStub withDeadline() {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            // Backing off after failed connections: this call would fail at once. Reconnect now instead, so that
            // a sidecar that is back serves this call rather than one after the back-off (up to two minutes).
            channel.resetConnectBackoff();
        }
        return stub.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS);
    }

    /** After a call that the sidecar answered: find out about LockKeepAlive if startup could not. Once at a time. */
    private void probeKeepAliveOnFirstUse() {
        if (keepAliveSupport.get() != KeepAliveSupport.UNKNOWN || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            checkKeepAlive();
        } catch (LockStoreException e) {
            logger.debug("Could not find out whether the sidecar implements LockKeepAlive; asking again later", e);
        } finally {
            probing.set(false);
        }
    }

    private KeepAliveSupport found(KeepAliveSupport support, String evidence) {
        KeepAliveSupport before = keepAliveSupport.getAndSet(support);
        if (support == KeepAliveSupport.NOT_IMPLEMENTED && before != support) {
            logger.warn("Lock store '" + sidecar.storeName() + "': the sidecar at " + sidecar.address()
                    + " does not implement LockKeepAlive (it " + evidence + "). Locks of this store are not renewed: "
                    + "each lasts the expire it was taken with, and renewing one fails with LockStoreException. Give "
                    + "its locks an expire longer than the work they guard.");
        }
        return support;
    }

    private LockStoreException keepAliveNotImplemented(String key) {
        return new LockStoreException(sidecar.storeName(), "LockKeepAlive of " + QuotedValue.of(key)
                + ": the sidecar at " + sidecar.address() + " does not implement LockKeepAlive, so locks of this "
                + "store are not renewed; the lock lasts the expire it was taken with");
    }

    private UnlockRequest unlockRequest(String key, String owner) {
        return UnlockRequest.newBuilder().setStoreName(sidecar.sidecarStoreName()).setResourceId(key)
                .setLockOwner(owner).build();
    }

    private LockKeepAliveRequest keepAliveRequest(String key, String owner, int expireSeconds) {
        return LockKeepAliveRequest.newBuilder().setStoreName(sidecar.sidecarStoreName()).setResourceId(key)
                .setLockOwner(owner).setExpire(expireSeconds).build();
    }

    private static String probeKey() {
        return PROBE_KEY_PREFIX + UUID.randomUUID();
    }
}
