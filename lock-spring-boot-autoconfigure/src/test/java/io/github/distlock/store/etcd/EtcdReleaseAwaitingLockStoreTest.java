package io.github.distlock.store.etcd;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.ServerProcess;
import io.github.distlock.testsupport.TestServers;
import io.github.distlock.waiting.AbstractReleaseSignalTest;
import io.github.distlock.waiting.ReleaseWaiters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release-awaiting capability on a real etcd: a watch per waited key. The store under test reaches etcd through a
 * relay, so that losing the signal is every connection of the store dropped (its watches' streams break, jetcd
 * reconnects); registrations are the server's own count of watchers. A restart of the server (a process of the
 * test's own) is survived too.
 */
class EtcdReleaseAwaitingLockStoreTest extends AbstractReleaseSignalTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EtcdTestServer server;
    private PausableTcpProxy relay;

    @Override
    protected ReleaseAwaitingLockStore createStore() throws IOException {
        server = EtcdTestServer.start();
        URI endpoint = URI.create(server.endpoint());
        relay = new PausableTcpProxy(endpoint.getHost(), endpoint.getPort());
        return EtcdTestStores.store("http://" + relay.connectString());
    }

    @Override
    protected LockStore createPeerStore() {
        return EtcdTestStores.store(server.endpoint());
    }

    @Override
    protected ReleaseWaiters waiters() {
        return ((EtcdLockStore) store()).releaseWatches();
    }

    @Override
    protected void loseSignal() {
        relay.dropConnections();
    }

    @Override
    protected void assertServerRegistrations(String key, boolean watching) throws InterruptedException {
        int expected = watching ? 1 : 0;
        pollUntil(() -> watchers() == expected, Duration.ofSeconds(5), expected + " watcher(s) on the server");
    }

    @AfterAll
    void stopServer() {
        relay.close();
        server.close();
    }

    @Test
    void aWaiterAcquiresAfterTheServerRestartsWhileItWaits() throws Exception {
        ServerProcess process = server.process();
        if (process == null) {
            throw TestServers.unavailable("an etcd this test can restart", "the server is external or a container");
        }
        String key = uniqueKey("restart");
        String holderOwner = newOwner();
        try (EtcdLockStore holder = EtcdTestStores.store(server.endpoint());
                EtcdLockStore waiting = EtcdTestStores.store(server.endpoint())) {
            assertThat(holder.tryLock(key, holderOwner, LONG_EXPIRE)).isTrue();
            String owner = newOwner();
            CountDownLatch acquired = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread acquirer = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!waiting.tryLock(key, owner, LONG_EXPIRE)) {
                        waiting.awaitRelease(key, Duration.ofNanos(deadline - System.nanoTime()));
                        assertThat(System.nanoTime()).as("within the wait time").isLessThan(deadline);
                    }
                    acquired.countDown();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            acquirer.setDaemon(true);
            acquirer.start();
            ReleaseWaiters waiters = waiting.releaseWatches();
            pollUntil(() -> waiters.waiterCount() == 1, Duration.ofSeconds(5), "waiting");
            process.stop();
            Thread.sleep(500);
            process.start();
            EtcdTestServer.awaitHealthy(server.endpoint(), process);
            long unlocked = System.nanoTime();
            assertThat(holder.unlock(key, holderOwner)).isEqualTo(LockStatus.SUCCESS);
            assertThat(acquired.await(10, TimeUnit.SECONDS)).as("acquired; failure: %s", failure.get()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - unlocked)).isLessThan(Duration.ofSeconds(2));
            assertThat(waiting.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        }
    }

    /** The server's own count of watchers, from its metrics. */
    private long watchers() {
        try {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("etcd_debugging_mvcc_watcher_total ")) {
                    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
            throw new IllegalStateException("No watcher count in etcd's metrics");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
