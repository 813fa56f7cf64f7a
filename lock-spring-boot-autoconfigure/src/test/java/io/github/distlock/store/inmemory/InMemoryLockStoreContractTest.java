package io.github.distlock.store.inmemory;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;

class InMemoryLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return new InMemoryLockStore();
    }

    /**
     * The store itself: its locks live in the instance, so a second {@code InMemoryLockStore} is a separate set of
     * locks (another server, as it were), and within one JVM the only instance that shares them is this one.
     */
    @Override
    protected LockStore createPeerStore() {
        return store();
    }
}
