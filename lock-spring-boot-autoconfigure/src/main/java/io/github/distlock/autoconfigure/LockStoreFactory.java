package io.github.distlock.autoconfigure;

import io.github.distlock.spi.LockStore;

/**
 * Builds the stores of one {@link StoreType} from configuration. Each store type's auto-configuration contributes
 * one factory bean, only when the client library it needs is on the classpath; {@link LockStoreRegistry} asks them
 * for every store under {@code distributed-lock.stores}.
 */
public interface LockStoreFactory {

    StoreType type();

    /**
     * Whether the application already has the client this store type uses (a connection factory bean, say), so that
     * it may serve as the implicit store when {@code distributed-lock.stores} is empty.
     */
    boolean clientAvailable();

    /**
     * Builds the store named {@code storeName}.
     *
     * @throws InvalidLockConfigurationException when its settings are wrong
     */
    LockStore create(String storeName, DistributedLockProperties.Store properties);
}
