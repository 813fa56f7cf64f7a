package io.github.distlock.store.layotto;

import java.time.Duration;

import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.QuotedValue;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The sidecar a layotto store talks to, and what its errors mean to the application: every gRPC error becomes a
 * {@link LockStoreException} naming the store, the operation, the sidecar's address, the status code and the
 * sidecar's description, and, where the code points at one, the setting to check.
 *
 * @param storeName        the store's own name (in {@code distributed-lock.stores})
 * @param address          the sidecar's {@code host:port}
 * @param sidecarStoreName the {@code store_name} sent to the sidecar
 * @param deadline         the bound of every call
 * @param propertiesPrefix where the store's settings are, e.g. {@code distributed-lock.stores.orders.layotto}
 */
record Sidecar(String storeName, String address, String sidecarStoreName, Duration deadline,
        String propertiesPrefix) {

    String property(String name) {
        return propertiesPrefix + "." + name;
    }

    /** The sidecar-side store name as it reads in a message. */
    String describeSidecarStore() {
        return sidecarStoreName.isEmpty() ? "empty, the sidecar's default store" : QuotedValue.of(sidecarStoreName);
    }

    /** A failed call, as the exception the lock client passes on. */
    LockStoreException failure(String operation, String key, StatusRuntimeException e) {
        Status status = e.getStatus();
        String message = operation + " of " + QuotedValue.of(key) + " through the sidecar at " + address
                + " failed: " + status.getCode() + (status.getDescription() == null ? ""
                        : ": " + status.getDescription());
        if (status.getCause() != null && status.getCause().getMessage() != null) {
            message += " (" + status.getCause().getClass().getSimpleName() + ": " + status.getCause().getMessage()
                    + ")";
        }
        String hint = hint(status.getCode());
        LockStoreException failure = new LockStoreException(storeName, hint == null ? message : message + ". "
                + hint);
        failure.initCause(e);
        return failure;
    }

    /** An answer that is no answer: the sidecar could not tell ({@code INTERNAL_ERROR}, or a status unknown here). */
    LockStoreException undecided(String operation, String key, Object status) {
        return new LockStoreException(storeName, operation + " of " + QuotedValue.of(key) + " through the sidecar at "
                + address + ": the sidecar answered status " + status + ", so the outcome is unknown");
    }

    /** What a status code tells the operator to check; null when it says nothing about the configuration. */
    private String hint(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT -> "The sidecar refused the request as invalid, which here is a configuration "
                    + "mistake: check " + property("store-name") + " (" + describeSidecarStore() + "), which must "
                    + "name a lock store configured in the sidecar; Layotto also refuses resource ids containing "
                    + "'||'";
            case FAILED_PRECONDITION -> "The sidecar has no lock store configured";
            case UNIMPLEMENTED -> "The server at " + property("address") + " does not serve this method of the "
                    + "Lock API (spec.proto.runtime.v1.Runtime): is it a Layotto or distlock sidecar?";
            case DEADLINE_EXCEEDED -> "No answer within " + property("deadline") + " (" + deadline + ")";
            case UNAVAILABLE -> "The sidecar is not reachable (not running, or refusing connections); calls fail "
                    + "at once until it is back, then work again without a restart";
            case UNAUTHENTICATED, PERMISSION_DENIED -> "Check the client certificate of " + property("ssl-bundle");
            default -> null;
        };
    }
}
