package io.github.distlock.store.inmemory;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;

class InMemoryLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return new InMemoryLockStore();
    }
}
