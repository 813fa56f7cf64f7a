package io.github.distlock.store.layotto;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.grpc.GrpcLockService;
import io.github.distlock.grpc.GrpcLockServiceDefinition;
import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.LockKeepAliveResponse;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.testsupport.TestServers;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sidecars without LockKeepAlive: one that answers it with an empty response, as Layotto's does (TryLock and Unlock
 * served by an in-memory store), and one that implements nothing at all. The store finds out once, at startup or at
 * first use, says so once naming the store, sends no LockKeepAlive after that, and its keepAlive throws: locks last
 * the {@code expire} they were taken with.
 */
@ExtendWith(OutputCaptureExtension.class)
class LayottoKeepAliveDetectionTest {

    private static final Pattern WARNING = Pattern.compile("Lock store '([^']+)': the sidecar at \\S+ does not "
            + "implement LockKeepAlive");

    @Test
    void aLayottoLikeSidecarIsFoundOutAtStartupAndItsLocksLastTheirExpire(CapturedOutput output) throws Exception {
        LayottoLikeSidecar service = new LayottoLikeSidecar();
        try (BareGrpcServer server = BareGrpcServer.start(0, GrpcLockServiceDefinition.of(service));
                LayottoLockStore store = LayottoTestStores.create("layotto-like", "127.0.0.1:" + server.port(), "")) {
            assertThat(store.keepAliveSupport()).isEqualTo(LayottoLockStore.KeepAliveSupport.NOT_IMPLEMENTED);
            assertThat(service.keepAlives).as("the startup check only").hasValue(1);

            String key = "short-" + UUID.randomUUID();
            long start = System.nanoTime();
            assertThat(store.tryLock(key, "alice", 2)).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> store.keepAlive(key, "alice", 60)).isInstanceOf(LockStoreException.class)
                        .hasMessageContaining("Lock store 'layotto-like'")
                        .hasMessageContaining("does not implement LockKeepAlive")
                        .hasMessageContaining("the lock lasts the expire it was taken with");
            }
            assertThat(service.keepAlives).as("nothing sent for keepAlive").hasValue(1);
            assertThat(store.tryLock(key, "bob", 60)).as("alice's lease still runs").isFalse();
            long deadline = start + Duration.ofSeconds(5).toNanos();
            while (!store.tryLock(key, "bob", 60)) {
                assertThat(System.nanoTime()).as("alice's 2 s lease ended, not renewed").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
            assertThat(store.unlock(key, "bob")).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(warnings(output)).containsExactly("layotto-like");
    }

    @Test
    void aSidecarUnreachableAtStartupIsFoundOutAtFirstUse(CapturedOutput output) throws Exception {
        int port = TestServers.freePort();
        LayottoLikeSidecar service = new LayottoLikeSidecar();
        try (LayottoLockStore store = LayottoTestStores.create("late", "127.0.0.1:" + port, "")) {
            assertThat(store.keepAliveSupport()).isEqualTo(LayottoLockStore.KeepAliveSupport.UNKNOWN);
            assertThat(output.getOut()).contains("Lock store 'late': the sidecar at 127.0.0.1:" + port
                    + " is not reachable yet");
            assertThatThrownBy(() -> store.tryLock("k", "alice", 30)).isInstanceOf(LockStoreException.class)
                    .hasMessageContaining("UNAVAILABLE");
            assertThat(warnings(output)).isEmpty();
            try (BareGrpcServer server = BareGrpcServer.start(port, GrpcLockServiceDefinition.of(service))) {
                assertThat(LayottoTestStores.whenServed(Duration.ofSeconds(3), () -> store.tryLock("k", "alice", 30)))
                        .isTrue();
                assertThat(store.keepAliveSupport()).isEqualTo(LayottoLockStore.KeepAliveSupport.NOT_IMPLEMENTED);
                assertThat(store.unlock("k", "alice")).isEqualTo(LockStatus.SUCCESS);
                assertThatThrownBy(() -> store.keepAlive("k", "alice", 30)).isInstanceOf(LockStoreException.class)
                        .hasMessageContaining("does not implement LockKeepAlive");
                assertThat(service.keepAlives).as("the first-use check only").hasValue(1);
            }
        }
        assertThat(warnings(output)).containsExactly("late");
    }

    @Test
    void aSidecarImplementingNothingFailsEveryCallTypedAndItsKeepAliveSaysWhy(CapturedOutput output)
            throws Exception {
        int port = TestServers.freePort();
        // Made while nothing listens (a server that is no Lock API server stops startup); then the server comes.
        try (LayottoLockStore store = LayottoTestStores.create("nothing", "127.0.0.1:" + port, "");
                BareGrpcServer server = BareGrpcServer.start(port)) {
            assertThatThrownBy(() -> LayottoTestStores.whenServed(Duration.ofSeconds(3),
                    () -> store.tryLock("k", "alice", 30))).isInstanceOf(LockStoreException.class)
                    .hasMessageContaining("Lock store 'nothing'").hasMessageContaining("TryLock of 'k'")
                    .hasMessageContaining("UNIMPLEMENTED").hasMessageContaining("is it a Layotto or distlock sidecar");
            assertThatThrownBy(() -> store.unlock("k", "alice")).isInstanceOf(LockStoreException.class)
                    .hasMessageContaining("Unlock of 'k'").hasMessageContaining("UNIMPLEMENTED");
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> store.keepAlive("k", "alice", 30)).isInstanceOf(LockStoreException.class)
                        .hasMessageContaining("Lock store 'nothing'")
                        .hasMessageContaining("does not implement LockKeepAlive");
            }
            assertThat(store.keepAliveSupport()).isEqualTo(LayottoLockStore.KeepAliveSupport.NOT_IMPLEMENTED);
        }
        assertThat(warnings(output)).containsExactly("nothing");
    }

    /** The store names of the "does not implement LockKeepAlive" warnings in the output, in order. */
    private static java.util.List<String> warnings(CapturedOutput output) {
        java.util.List<String> stores = new java.util.ArrayList<>();
        Matcher matcher = WARNING.matcher(output.getOut());
        while (matcher.find()) {
            stores.add(matcher.group(1));
        }
        return stores;
    }

    /** TryLock and Unlock on an in-memory store; LockKeepAlive answered with an empty response, as Layotto does. */
    static final class LayottoLikeSidecar extends GrpcLockService {

        final AtomicInteger keepAlives = new AtomicInteger();

        LayottoLikeSidecar() {
            super(new DistributedLockClient(Map.of("mem", new InMemoryLockStore()), "mem", LockKeyNamespace.none()),
                    new LockRecorders(LockMetrics.NOOP));
        }

        @Override
        public void lockKeepAlive(LockKeepAliveRequest request, StreamObserver<LockKeepAliveResponse> responses) {
            keepAlives.incrementAndGet();
            responses.onNext(LockKeepAliveResponse.getDefaultInstance());
            responses.onCompleted();
        }
    }
}
