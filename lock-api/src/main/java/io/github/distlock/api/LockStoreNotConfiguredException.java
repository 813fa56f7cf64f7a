package io.github.distlock.api;

/** The client has no store at all, so no request can be served (the seed's "lock store is not configured"). */
public class LockStoreNotConfiguredException extends IllegalStateException {

    public LockStoreNotConfiguredException() {
        super("No lock store is configured (see distributed-lock.stores)");
    }
}
