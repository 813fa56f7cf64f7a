package io.github.distlock.store.etcd;

import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;
import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.AfterAll;

/** The hand-over transaction on etcd (the next owner put on its own lease, guarded by the holder's value). */
class EtcdHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    private EtcdTestServer server;
    private EtcdLockStore store;

    @Override
    protected HandOverLockStore createStore() {
        server = EtcdTestServer.start();
        store = EtcdTestStores.store(server.endpoint());
        return store;
    }

    @AfterAll
    void stopServer() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
