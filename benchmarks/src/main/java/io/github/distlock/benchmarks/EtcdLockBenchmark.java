package io.github.distlock.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.api.LockStatus;
import io.github.distlock.store.etcd.EtcdLockStore;
import io.github.distlock.store.etcd.EtcdLockStoreFactory;
import io.github.distlock.store.etcd.EtcdLockStoreProperties;
import io.github.distlock.testsupport.EtcdTestServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;


/**
 * Lock + unlock cycles per second on etcd, each thread on its own key: distlock's etcd store (lease grant, one
 * put-if-absent transaction; one compare-and-delete transaction, lease revoke) against jetcd's own {@code Lock}
 * client as its users drive it (lease grant, lock, unlock, lease revoke). Same server, same settings, same run.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * DISTLOCK_TEST_ETCD=http://127.0.0.1:2379 java -jar benchmarks/target/benchmarks.jar EtcdLock
 * </pre>
 *
 * Without {@code DISTLOCK_TEST_ETCD} each fork starts its own etcd from the binary on the PATH, on free loopback
 * ports. Ratio = {@code distlock*} / {@code jetcdLock*} at the same thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class EtcdLockBenchmark {

    private static final int EXPIRE_SECONDS = 30;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private EtcdTestServer server;
    private EtcdLockStore store;
    private Client jetcd;

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();
        server = EtcdTestServer.start();
        EtcdLockStoreProperties properties = new EtcdLockStoreProperties();
        properties.setEndpoints(List.of(server.endpoint()));
        properties.setRequestTimeout(REQUEST_TIMEOUT);
        store = new EtcdLockStore(EtcdLockStoreFactory.newClient(properties, "benchmark.etcd", null),
                properties.getNamespace(), REQUEST_TIMEOUT, true);
        jetcd = EtcdLockStoreFactory.newClient(properties, "benchmark.etcd", null);
    }

    @TearDown(Level.Trial)
    public void stop() {
        store.close();
        jetcd.close();
        server.close();
    }

    /** Each thread's own lock, so that threads never contend: the figure is the cost of a cycle. */
    @State(Scope.Thread)
    public static class ThreadKey {
        final String key = "bench-" + UUID.randomUUID();
        final ByteSequence lockName = ByteSequence.from("/jetcd-bench/" + key, StandardCharsets.UTF_8);
        final String owner = UUID.randomUUID().toString();
    }

    @Benchmark
    @Threads(1)
    public LockStatus distlock_1thread(ThreadKey thread) {
        return distlockCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public LockStatus distlock_8threads(ThreadKey thread) {
        return distlockCycle(thread);
    }

    /** TryLock with its fencing token: the same requests as {@link #distlock_1thread}, the token read off the reply. */
    @Benchmark
    @Threads(1)
    public long distlockFenced_1thread(ThreadKey thread) {
        return fencedCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public long distlockFenced_8threads(ThreadKey thread) {
        return fencedCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public long jetcdLock_1thread(ThreadKey thread) throws Exception {
        return jetcdCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public long jetcdLock_8threads(ThreadKey thread) throws Exception {
        return jetcdCycle(thread);
    }

    private LockStatus distlockCycle(ThreadKey thread) {
        if (!store.tryLock(thread.key, thread.owner, EXPIRE_SECONDS)) {
            throw new IllegalStateException("Own key " + thread.key + " was not free");
        }
        return store.unlock(thread.key, thread.owner);
    }

    private long fencedCycle(ThreadKey thread) {
        long token = store.tryLockFenced(thread.key, thread.owner, EXPIRE_SECONDS);
        if (token <= 0) {
            throw new IllegalStateException("Own key " + thread.key + " was not free");
        }
        if (store.unlock(thread.key, thread.owner) != LockStatus.SUCCESS) {
            throw new IllegalStateException("Own key " + thread.key + " was not released");
        }
        return token;
    }

    private long jetcdCycle(ThreadKey thread) throws Exception {
        long lease = jetcd.getLeaseClient().grant(EXPIRE_SECONDS).get(10, TimeUnit.SECONDS).getID();
        ByteSequence ownership = jetcd.getLockClient().lock(thread.lockName, lease).get(10, TimeUnit.SECONDS)
                .getKey();
        jetcd.getLockClient().unlock(ownership).get(10, TimeUnit.SECONDS);
        jetcd.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
        return lease;
    }
}
