package io.github.distlock.api;

import java.util.Collection;

/** A request named a store that is not configured. */
public class UnknownLockStoreException extends InvalidLockRequestException {

    public UnknownLockStoreException(String storeName, Collection<String> configured) {
        super("store_name", "Unknown lock store " + QuotedValue.of(storeName) + "; configured stores: " + configured
                + " (see distributed-lock.stores)");
    }
}
