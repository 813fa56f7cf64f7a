package io.github.distlock.store.inmemory;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;

class InMemoryReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        return new InMemoryLockStore();
    }
}
