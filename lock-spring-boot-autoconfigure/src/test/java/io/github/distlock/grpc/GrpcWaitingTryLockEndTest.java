package io.github.distlock.grpc;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.WaitingLockApi;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * How a waiting TryLock ends when it is not allowed to run its course, on a server of its own: the server's shutdown
 * ends it at once, and a lock granted just as its call was cancelled is released rather than left to a caller that
 * will never know it holds it.
 */
class GrpcWaitingTryLockEndTest {

    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final long LONG_WAIT_MS = 25_000;

    private GrpcLockServer server;
    private GrpcLockService service;
    private LockApiChannel client;

    private void start(LockStore store) {
        start(store, 8, 8);
    }

    private void start(LockStore store, int maxConcurrentCalls, int maxWaitingCalls) {
        DistributedLockClient locks = new DistributedLockClient(Map.of("mem", store), "mem", LockKeyNamespace.none());
        service = new GrpcLockService(locks, new WaitingLockApi(locks), new LockRecorders(LockMetrics.NOOP),
                maxConcurrentCalls, Duration.ZERO, Duration.ofSeconds(30), maxWaitingCalls);
        server = new GrpcLockServer(service, "127.0.0.1:0", 64 * 1024, Duration.ofSeconds(30), null, null, null,
                null);
        server.start();
        client = new LockApiChannel(server.getPort());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
        if (service != null) {
            service.close();
        }
    }

    private ListenableFuture<TryLockResponse> startWaiting(String resource, String owner) {
        int before = service.waitingCalls();
        ListenableFuture<TryLockResponse> call = RuntimeGrpc.newFutureStub(client.channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .tryLock(tryLock("mem", resource, owner, 30).toBuilder().setWaitTimeMs(LONG_WAIT_MS).build());
        await().atMost(PROMPT).until(() -> service.waitingCalls() > before || call.isDone());
        return call;
    }

    @Test
    void shutdownEndsAWaitAtOnceWithUnavailable() throws Exception {
        start(new InMemoryLockStore());
        String resource = "order-" + UUID.randomUUID();
        assertThat(client.stub().tryLock(tryLock("mem", resource, "alice", 30)).getSuccess()).isTrue();
        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, "bob");
        TimeUnit.MILLISECONDS.sleep(300); // into the wait proper

        long start = System.nanoTime();
        server.stop(); // its grace period (30 s) is longer than the wait: only ending the wait makes it prompt
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stopped without waiting out the wait")
                .isLessThan(PROMPT);
        assertThatThrownBy(() -> bobs.get(PROMPT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("shutting down");
                });
        await().atMost(PROMPT).untilAsserted(() -> assertThat(service.waitingCalls()).isZero());
    }

    @Test
    void waitsHaveTheirOwnBoundAndLeaveTheOtherCallsTheirs() throws Exception {
        // A blocking store (not NonBlockingLockStore): every call needs one of the one worker thread's turns.
        start(new BlockingStore(), 1, 2);
        String resource = "order-" + UUID.randomUUID();
        assertThat(client.stub().tryLock(tryLock("mem", resource, "alice", 30)).getSuccess()).isTrue();
        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, "bob");
        ListenableFuture<TryLockResponse> carols = startWaiting(resource, "carol");
        assertThat(service.waitingCalls()).isEqualTo(2);

        LockApiChannel.assertStatus(Status.Code.RESOURCE_EXHAUSTED, "distributed-lock.grpc.max-waiting-calls",
                () -> client.stub().tryLock(tryLock("mem", resource, "dave", 30).toBuilder().setWaitTimeMs(1_000)
                        .build()));
        // Two waits run, yet the one worker for calls to the store is free: alice's Unlock is served.
        assertThat(client.stub().unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(bobs.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getSuccess()).as("first in line").isTrue();
        assertThat(client.stub().unlock(unlock("mem", resource, "bob")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(carols.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getSuccess()).isTrue();
        assertThat(client.stub().unlock(unlock("mem", resource, "carol")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void aLockGrantedJustAsTheCallIsCancelledIsReleased() throws Exception {
        CountDownLatch inTryLock = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        // The real store, answering a TryLock only once the test lets it, and deaf to interrupts meanwhile, like a
        // store client that does not give up a command in flight: the grant lands after the cancellation.
        start(new BlockingStore() {
            @Override
            public boolean tryLock(String key, String owner, int expireSeconds) {
                if (owner.equals("bob")) {
                    inTryLock.countDown();
                    boolean wasInterrupted = false;
                    while (true) {
                        try {
                            if (answer.await(PROMPT.toSeconds(), TimeUnit.SECONDS)) {
                                break;
                            }
                            throw new IllegalStateException("the test never let the TryLock answer");
                        } catch (InterruptedException e) {
                            wasInterrupted = true;
                            interrupted.countDown();
                        }
                    }
                    if (wasInterrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.tryLock(key, owner, expireSeconds);
            }
        });
        String resource = "order-" + UUID.randomUUID();
        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, "bob");
        assertThat(inTryLock.await(PROMPT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        bobs.cancel(true);
        // The server has seen the cancellation (it interrupts the wait) before the grant lands.
        assertThat(interrupted.await(PROMPT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        answer.countDown();

        await().atMost(PROMPT).untilAsserted(() -> assertThat(service.waitingCalls()).isZero());
        assertThat(client.stub().unlock(unlock("mem", resource, "bob")).getStatus())
                .as("bob's grant was released for him").isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);
        assertThat(client.stub().tryLock(tryLock("mem", resource, "carol", 30)).getSuccess()).isTrue();
    }

    /** The in-memory store, seen as one that blocks (it is no {@code NonBlockingLockStore}, nor signals releases). */
    private static class BlockingStore implements LockStore {

        private final InMemoryLockStore memory = new InMemoryLockStore();

        @Override
        public boolean tryLock(String key, String owner, int expireSeconds) {
            return memory.tryLock(key, owner, expireSeconds);
        }

        @Override
        public LockStatus unlock(String key, String owner) {
            return memory.unlock(key, owner);
        }

        @Override
        public LockStatus keepAlive(String key, String owner, int expireSeconds) {
            return memory.keepAlive(key, owner, expireSeconds);
        }
    }
}
