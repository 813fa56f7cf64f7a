package io.github.distlock.store.layotto;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;

/**
 * The store contract through this project's own sidecar with a Redis store behind it (a real Redis on loopback):
 * leases and owners are kept by Redis, reached only through the sidecar.
 */
class LayottoRedisLockStoreContractTest extends AbstractLockStoreContractTest {

    private RedisTestServer redis;
    private TestSidecar sidecar;

    @Override
    protected LockStore createStore() {
        redis = RedisTestServer.start();
        sidecar = TestSidecar.redis(redis, 0);
        return LayottoTestStores.create("side", sidecar.address(), "redis");
    }

    @Override
    protected LockStore createPeerStore() {
        return LayottoTestStores.create("side-peer", sidecar.address(), "redis");
    }

    @AfterAll
    void stopServers() {
        // Runs before the suite's own @AfterAll closes the stores; closing a store needs no sidecar.
        if (sidecar != null) {
            sidecar.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
