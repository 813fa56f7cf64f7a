package io.github.distlock.store.inmemory;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;

class InMemoryFencedLockStoreTest extends AbstractFencedLockStoreTest {

    @Override
    protected FencedLockStore createStore() {
        return new InMemoryLockStore();
    }

    /** The locks and their tokens live in the instance: an application restart starts from nothing. */
    @Override
    protected FencedLockStore createRestartedStore() {
        return store();
    }
}
