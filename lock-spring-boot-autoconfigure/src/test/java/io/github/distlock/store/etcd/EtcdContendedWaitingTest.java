package io.github.distlock.store.etcd;

import java.util.ArrayList;
import java.util.List;

import io.github.distlock.core.AbstractContendedWaitingTest;
import io.github.distlock.core.TemplateWaitingChildStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.AfterAll;

/** Contended waiting on a real etcd: release signals by watch, waiters of a JVM in line. */
class EtcdContendedWaitingTest extends AbstractContendedWaitingTest {

    private final List<EtcdLockStore> stores = new ArrayList<>();

    @AfterAll
    void close() {
        stores.forEach(EtcdLockStore::close);
    }

    @Override
    protected LockStore createStore() {
        EtcdLockStore store = EtcdTestStores.store(EtcdTestServer.shared().endpoint());
        stores.add(store);
        return store;
    }

    @Override
    protected Class<? extends ChildJvm.StoreFactory> childFactory() {
        return TemplateChild.class;
    }

    @Override
    protected String childArgument() {
        return EtcdTestServer.shared().endpoint();
    }

    /** The etcd store of a child JVM, waited on through a template. */
    public static class TemplateChild implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String endpoint) {
            return new TemplateWaitingChildStore(new EtcdChildStoreFactory().create(endpoint));
        }
    }
}
