package io.github.distlock.grpc;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TryLock with {@code wait_time_ms} (our extension) over a real channel against a running application, per store:
 * it waits in the application's line of waiters, answers once granted or after its wait, is bounded by
 * {@code max-wait-time}, and a cancelled call leaves no lock, queue entry or wait behind. Bounds are generous: a
 * prompt grant is one that came well before the wait would have run out.
 */
abstract class AbstractGrpcWaitingTryLockTest {

    /** Long waits, so that a grant before them is a grant by the release, not a lucky retry at the end. */
    private static final long LONG_WAIT_MS = 20_000;
    private static final Duration PROMPT = Duration.ofSeconds(10);
    /**
     * How soon after the holder's Unlock is sent its waiter must be granted: a tenth of {@link #LONG_WAIT_MS}, yet
     * room for a few network round trips and thread wake-ups on a loaded 2-core machine.
     */
    private static final Duration WAKE_UP = Duration.ofSeconds(2);

    @Autowired
    GrpcLockServer server;

    @Autowired
    GrpcLockService service;

    @Autowired
    LockTemplate locks;

    LockApiChannel client;

    /** The store under test. */
    abstract String store();

    @BeforeEach
    void connect() {
        client = new LockApiChannel(server.getPort());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        client.close();
    }

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID();
    }

    private TryLockRequest waiting(String resource, String owner, int expire, long waitMs) {
        return tryLock(store(), resource, owner, expire).toBuilder().setWaitTimeMs(waitMs).build();
    }

    private ListenableFuture<TryLockResponse> startWaiting(String resource, String owner, int expire, long waitMs) {
        int before = service.waitingCalls();
        ListenableFuture<TryLockResponse> call = RuntimeGrpc.newFutureStub(client.channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).tryLock(waiting(resource, owner, expire, waitMs));
        await().atMost(PROMPT).until(() -> service.waitingCalls() > before || call.isDone());
        return call;
    }

    @Test
    void aWaitingTryLockIsGrantedSoonAfterTheHoldersUnlock() throws Exception {
        String resource = fresh("order");
        String alice = fresh("alice");
        String bob = fresh("bob");
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess()).isTrue();

        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, bob, 30, LONG_WAIT_MS);
        TimeUnit.MILLISECONDS.sleep(300); // into the wait proper
        assertThat(bobs.isDone()).as("waits while alice holds").isFalse();
        long unlockSent = System.nanoTime();
        assertThat(client.stub().unlock(unlock(store(), resource, alice)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);

        TryLockResponse granted = bobs.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertThat(granted.getSuccess()).isTrue();
        // Granted within WAKE_UP of alice's Unlock: woken by her release, not at the end of his 20 s wait or of her
        // 30 s lease, nor by tries seconds apart. (Whether a store's waiter is woken by its signal rather than a
        // retry a few hundred ms later is AbstractReleaseAwaitingLockStoreTest's to show, per store.)
        assertThat(Duration.ofNanos(System.nanoTime() - unlockSent)).as("granted soon after the Unlock")
                .isLessThan(WAKE_UP);
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess())
                .as("bob holds it").isFalse();
        assertThat(client.stub().unlock(unlock(store(), resource, bob)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void aWaitingTryLockAnswersFalseWhenTheLockStaysHeldForAllOfItsWait() {
        String resource = fresh("order");
        String alice = fresh("alice");
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess()).isTrue();

        long start = System.nanoTime();
        TryLockResponse refused = client.stub().tryLock(waiting(resource, fresh("bob"), 30, 700));
        assertThat(refused.getSuccess()).isFalse();
        assertThat(refused.getFencingToken()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited").isGreaterThanOrEqualTo(
                Duration.ofMillis(700));
        await().atMost(PROMPT).untilAsserted(() -> assertThat(service.waitingCalls()).isZero());
        assertThat(client.stub().unlock(unlock(store(), resource, alice)).getStatus())
                .as("alice still holds it").isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void aWaitingTryLockOfAFreeLockIsGrantedWithAFencingToken() {
        String resource = fresh("order");
        String bob = fresh("bob");
        TryLockResponse granted = client.stub().tryLock(waiting(resource, bob, 30, LONG_WAIT_MS));
        assertThat(granted.getSuccess()).isTrue();
        assertThat(client.stub().tryLock(waiting(resource, bob, 30, 300)).getSuccess())
                .as("not reentrant, even with a wait").isFalse();
        assertThat(client.stub().unlock(unlock(store(), resource, bob)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void aLayottoRequestWithoutTheFieldIsAnsweredAtOnceAsBefore() throws Exception {
        String resource = fresh("order");
        String alice = fresh("alice");
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess()).isTrue();

        Descriptor layotto = layottoTryLockRequest();
        assertThat(layotto.findFieldByNumber(1000)).isNull();
        byte[] request = DynamicMessage.newBuilder(layotto)
                .setField(layotto.findFieldByName("store_name"), store())
                .setField(layotto.findFieldByName("resource_id"), resource)
                .setField(layotto.findFieldByName("lock_owner"), fresh("bob"))
                .setField(layotto.findFieldByName("expire"), 30)
                .build().toByteArray();
        // Were it to wait for alice, who never unlocks here, it would run into the deadline instead of answering.
        byte[] response = ClientCalls.blockingUnaryCall(client.channel,
                RawBytes.method(RuntimeGrpc.SERVICE_NAME, "TryLock"),
                CallOptions.DEFAULT.withDeadlineAfter(PROMPT.toSeconds(), TimeUnit.SECONDS), request);
        assertThat(TryLockResponse.parseFrom(response).getSuccess()).isFalse();
        assertThat(client.stub().tryLock(tryLock(store(), resource, fresh("carol"), 30)).getSuccess())
                .as("the field absent in our own client too").isFalse();
        assertThat(client.stub().unlock(unlock(store(), resource, alice)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void aNegativeWaitOrOneOverTheCapIsInvalid() {
        String resource = fresh("order");
        assertStatus(Status.Code.INVALID_ARGUMENT, "wait_time_ms must be between 0 and 30000 milliseconds",
                () -> client.stub().tryLock(waiting(resource, fresh("bob"), 30, -1)));
        StatusRuntimeException over = assertStatus(Status.Code.INVALID_ARGUMENT,
                "distributed-lock.grpc.max-wait-time", () -> client.stub().tryLock(waiting(resource, "b", 30, 30_001)));
        assertThat(over.getStatus().getDescription()).contains("got 30001");
        assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id must not be blank",
                () -> client.stub().tryLock(waiting("", fresh("bob"), 30, 1_000)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire",
                () -> client.stub().tryLock(waiting(resource, fresh("bob"), 0, 1_000)));
    }

    @Test
    void aCancelledWaitLeavesNoLockNoWaiterAndNoLineBehind() throws Exception {
        String resource = fresh("order");
        String alice = fresh("alice");
        String bob = fresh("bob");
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess()).isTrue();

        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, bob, 30, LONG_WAIT_MS);
        TimeUnit.MILLISECONDS.sleep(300); // into the wait proper
        bobs.cancel(true);
        await().atMost(PROMPT).untilAsserted(() -> assertThat(service.waitingCalls()).isZero());

        // A waiter after bob: were bob still in line before it, it would not get its turn for all of its wait.
        String carol = fresh("carol");
        ListenableFuture<TryLockResponse> carols = startWaiting(resource, carol, 30, LONG_WAIT_MS);
        assertThat(client.stub().unlock(unlock(store(), resource, alice)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(carols.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getSuccess()).isTrue();
        assertThat(client.stub().unlock(unlock(store(), resource, bob)).getStatus())
                .as("bob never got it").isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
        assertThat(client.stub().unlock(unlock(store(), resource, carol)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub().tryLock(tryLock(store(), resource, fresh("dave"), 30)).getSuccess())
                .as("free: nothing held for the cancelled call").isTrue();
    }

    @Test
    void aDeadlineBeforeTheWaitsEndStopsTheWait() {
        String resource = fresh("order");
        String alice = fresh("alice");
        String bob = fresh("bob");
        assertThat(client.stub().tryLock(tryLock(store(), resource, alice, 30)).getSuccess()).isTrue();

        assertStatus(Status.Code.DEADLINE_EXCEEDED, "", () -> RuntimeGrpc.newBlockingStub(client.channel)
                .withDeadlineAfter(1, TimeUnit.SECONDS).tryLock(waiting(resource, bob, 30, LONG_WAIT_MS)));
        await().atMost(PROMPT).untilAsserted(() -> assertThat(service.waitingCalls()).isZero());
        assertThat(client.stub().unlock(unlock(store(), resource, alice)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub().tryLock(tryLock(store(), resource, fresh("carol"), 30)).getSuccess())
                .as("free: bob's wait did not go on after its deadline").isTrue();
    }

    @Test
    void aWaitingTryLockQueuesWithTheTemplatesWaitersBothWays() throws Exception {
        String resource = fresh("order");
        LockOptions inStore = LockOptions.builder().store(store()).waitTime(Duration.ofMillis(LONG_WAIT_MS))
                .expire(Duration.ofSeconds(30)).build();

        // A template holder's release grants the gRPC waiter (on stores that can, by handing the lock over).
        LockHandle held = locks.acquire(resource, inStore);
        String bob = fresh("bob");
        ListenableFuture<TryLockResponse> bobs = startWaiting(resource, bob, 60, LONG_WAIT_MS);
        TimeUnit.MILLISECONDS.sleep(300);
        held.release();
        assertThat(bobs.get(PROMPT.toSeconds(), TimeUnit.SECONDS).getSuccess()).isTrue();

        // bob's Unlock passes the turn on at once: the template waiter does not wait for bob's 60 s lease to end.
        CompletableFuture<Boolean> template = CompletableFuture.supplyAsync(() -> {
            try (LockHandle next = locks.acquire(resource, inStore)) {
                return client.stub().tryLock(tryLock(store(), resource, fresh("carol"), 30)).getSuccess();
            }
        });
        TimeUnit.MILLISECONDS.sleep(300);
        assertThat(template.isDone()).as("waits while bob holds").isFalse();
        assertThat(client.stub().unlock(unlock(store(), resource, bob)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(template.get(PROMPT.toSeconds(), TimeUnit.SECONDS)).as("carol refused: the template held it")
                .isFalse();
    }

    /** Layotto's TryLockRequest: fields 1 to 4 and nothing else. */
    private static Descriptor layottoTryLockRequest() throws Exception {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("TryLockRequest");
        String[] names = {"store_name", "resource_id", "lock_owner", "expire"};
        for (int i = 0; i < names.length; i++) {
            message.addField(FieldDescriptorProto.newBuilder().setName(names[i]).setNumber(i + 1)
                    .setType(i < 3 ? FieldDescriptorProto.Type.TYPE_STRING : FieldDescriptorProto.Type.TYPE_INT32)
                    .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
        }
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("layotto_lock_request.proto")
                .setPackage("layotto.check").setSyntax("proto3").addMessageType(message).build();
        return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("TryLockRequest");
    }
}
