package io.github.distlock.store.inmemory;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;

class InMemoryFencedLockStoreTest extends AbstractFencedLockStoreTest {

    @Override
    protected FencedLockStore createStore() {
        return new InMemoryLockStore();
    }
}
