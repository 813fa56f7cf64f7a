package io.github.distlock.store.etcd;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.holding.AbstractNetworkLockLossTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.PausableTcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AbstractNetworkLockLossTest} on etcd: the key deleted by another client. */
class EtcdLockLossTest extends AbstractNetworkLockLossTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private String endpoint;
    private EtcdLockStore store;
    private Client operator;

    @BeforeAll
    void connect() {
        endpoint = EtcdTestServer.shared().endpoint();
        store = EtcdTestStores.store(List.of(endpoint), EtcdTestStores.REQUEST_TIMEOUT);
        operator = EtcdTestStores.client(List.of(endpoint), EtcdTestStores.REQUEST_TIMEOUT);
    }

    @AfterAll
    void close() {
        if (store != null) {
            store.close();
        }
        if (operator != null) {
            operator.close();
        }
    }

    @Override
    protected LockStore store() {
        return store;
    }

    @Override
    protected void removeBehindItsBack(String key, String owner) throws Exception {
        ByteSequence etcdKey = ByteSequence.from(EtcdTestStores.NAMESPACE + key, StandardCharsets.UTF_8);
        assertThat(operator.getKVClient().delete(etcdKey).get(5, TimeUnit.SECONDS).getDeleted()).isEqualTo(1);
    }

    @Override
    protected LockStore storeThrough(PausableTcpProxy proxy) {
        return EtcdTestStores.store(List.of("http://127.0.0.1:" + proxy.port()), REQUEST_TIMEOUT);
    }

    @Override
    protected String serverHost() {
        return URI.create(endpoint).getHost();
    }

    @Override
    protected int serverPort() {
        return URI.create(endpoint).getPort();
    }
}
