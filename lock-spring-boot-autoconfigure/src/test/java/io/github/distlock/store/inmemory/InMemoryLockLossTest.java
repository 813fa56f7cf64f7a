package io.github.distlock.store.inmemory;

import io.github.distlock.holding.AbstractLockLossTest;
import io.github.distlock.spi.LockStore;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AbstractLockLossTest} on the in-memory store: the lock removed by an Unlock for its owner. */
class InMemoryLockLossTest extends AbstractLockLossTest {

    private final InMemoryLockStore store = new InMemoryLockStore();

    @Override
    protected LockStore store() {
        return store;
    }

    @Override
    protected void removeBehindItsBack(String key, String owner) {
        assertThat(store.unlock(key, owner)).isEqualTo(io.github.distlock.api.LockStatus.SUCCESS);
    }
}
