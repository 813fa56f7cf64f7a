package io.github.distlock.store.layotto;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract through this project's own sidecar (the gRPC Lock API server) with the in-memory store behind
 * it, on a free loopback port. Store and peer have a channel each, as two applications beside one sidecar would.
 */
class LayottoLockStoreContractTest extends AbstractLockStoreContractTest {

    private TestSidecar sidecar;

    @Override
    protected LockStore createStore() {
        sidecar = TestSidecar.inMemory(0);
        return LayottoTestStores.create("side", sidecar.address(), "mem");
    }

    @Override
    protected LockStore createPeerStore() {
        return LayottoTestStores.create("side-peer", sidecar.address(), "");
    }

    @AfterAll
    void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    void ourSidecarImplementsLockKeepAlive() {
        assertThat(((LayottoLockStore) store()).keepAliveSupport())
                .isEqualTo(LayottoLockStore.KeepAliveSupport.IMPLEMENTED);
    }
}
