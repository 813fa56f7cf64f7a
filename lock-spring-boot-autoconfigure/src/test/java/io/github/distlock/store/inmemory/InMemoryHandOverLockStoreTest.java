package io.github.distlock.store.inmemory;

import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;

class InMemoryHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    @Override
    protected HandOverLockStore createStore() {
        return new InMemoryLockStore();
    }
}
