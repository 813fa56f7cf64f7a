package io.github.distlock.grpc;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.github.distlock.grpc.proto.LockKeepAliveResponse;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.keepAlive;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/** The Lock API over a real gRPC channel, against a running application on the in-memory store. */
@SpringBootTest(classes = GrpcLockTestApplication.class, properties = {
        "spring.application.name=grpc-test",
        "distributed-lock.stores.mem.type=in-memory",
        "distributed-lock.default-store=mem",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcLockApiTest {

    @Autowired
    GrpcLockServer server;

    @Autowired
    MeterRegistry meters;

    LockApiChannel client;

    @BeforeAll
    void connect() {
        assertThat(server.isRunning()).isTrue();
        client = new LockApiChannel(server.getPort());
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        client.close();
    }

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID();
    }

    @Test
    void tryLockGrantsAFreeResourceAndRefusesItToEveryoneWhileHeld() {
        String resource = fresh("order");
        String alice = fresh("alice");
        String bob = fresh("bob");

        assertThat(client.stub.tryLock(tryLock("mem", resource, alice, 30)).getSuccess()).isTrue();
        assertThat(client.stub.tryLock(tryLock("mem", resource, bob, 30)).getSuccess()).isFalse();
        assertThat(client.stub.tryLock(tryLock("mem", resource, alice, 30)).getSuccess())
                .as("not reentrant").isFalse();

        assertThat(client.stub.unlock(unlock("mem", resource, alice)).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub.tryLock(tryLock("mem", resource, bob, 30)).getSuccess()).isTrue();
    }

    @Test
    void anEmptyStoreNameMeansTheDefaultStore() {
        String resource = fresh("order");
        assertThat(client.stub.tryLock(tryLock("", resource, "alice", 30)).getSuccess()).isTrue();
        assertThat(client.stub.tryLock(tryLock("mem", resource, "bob", 30)).getSuccess()).isFalse();
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void contentionBetweenTwoOwnersGrantsEachTurnToExactlyOne() {
        String resource = fresh("stock");
        String[] owners = {fresh("a"), fresh("b")};
        for (int round = 0; round < 20; round++) {
            String first = owners[round % 2];
            String second = owners[(round + 1) % 2];
            assertThat(client.stub.tryLock(tryLock("mem", resource, first, 30)).getSuccess()).isTrue();
            assertThat(client.stub.tryLock(tryLock("mem", resource, second, 30)).getSuccess()).isFalse();
            assertThat(client.stub.unlock(unlock("mem", resource, second)).getStatus())
                    .isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
            assertThat(client.stub.unlock(unlock("mem", resource, first)).getStatus())
                    .isEqualTo(UnlockResponse.Status.SUCCESS);
        }
    }

    @Test
    void unlockAnswersEachStatus() {
        String resource = fresh("order");
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .as("never taken").isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);

        assertThat(client.stub.tryLock(tryLock("mem", resource, "alice", 30)).getSuccess()).isTrue();
        assertThat(client.stub.unlock(unlock("mem", resource, "bob")).getStatus())
                .isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .as("already released").isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);
        // INTERNAL_ERROR is never answered: a store failure is an UNAVAILABLE error instead, see GrpcStoreOutageTest.
    }

    @Test
    void lockKeepAliveExtendsTheLeasePastItsFirstExpiry() throws InterruptedException {
        String resource = fresh("job");
        long start = System.nanoTime();
        assertThat(client.stub.tryLock(tryLock("mem", resource, "alice", 1)).getSuccess()).isTrue();
        assertThat(client.stub.lockKeepAlive(keepAlive("mem", resource, "alice", 4)).getStatus())
                .isEqualTo(LockKeepAliveResponse.Status.SUCCESS);
        long keptAliveAt = System.nanoTime();

        // Past the first lease (1 s) with a margin, well within the renewed one (4 s from keptAliveAt).
        TimeUnit.MILLISECONDS.sleep(Math.max(0, 1_600 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        assertThat(client.stub.tryLock(tryLock("mem", resource, "bob", 30)).getSuccess()).isFalse();
        assertThat(client.stub.lockKeepAlive(keepAlive("mem", resource, "bob", 30)).getStatus())
                .isEqualTo(LockKeepAliveResponse.Status.LOCK_BELONG_TO_OTHERS);
        assertThat(System.nanoTime() - keptAliveAt).as("checked within the renewed lease")
                .isLessThan(TimeUnit.SECONDS.toNanos(4));
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub.lockKeepAlive(keepAlive("mem", resource, "alice", 30)).getStatus())
                .as("released").isEqualTo(LockKeepAliveResponse.Status.LOCK_UNEXIST);
    }

    @Test
    void aLeaseThatIsNotKeptAliveEnds() throws InterruptedException {
        String resource = fresh("job");
        assertThat(client.stub.tryLock(tryLock("mem", resource, "alice", 1)).getSuccess()).isTrue();
        TimeUnit.MILLISECONDS.sleep(1_300);
        assertThat(client.stub.lockKeepAlive(keepAlive("mem", resource, "alice", 30)).getStatus())
                .isEqualTo(LockKeepAliveResponse.Status.LOCK_UNEXIST);
        assertThat(client.stub.tryLock(tryLock("mem", resource, "bob", 30)).getSuccess()).isTrue();
    }

    @Test
    void invalidRequestsAreInvalidArgumentNamingTheField() {
        String resource = fresh("order");
        assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id", () -> client.stub.tryLock(tryLock("mem", "", "a", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id", () -> client.stub.tryLock(tryLock("mem", " \t", "a", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "lock_owner", () -> client.stub.tryLock(tryLock("mem", resource, "", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire", () -> client.stub.tryLock(tryLock("mem", resource, "a", 0)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire", () -> client.stub.tryLock(tryLock("mem", resource, "a", -5)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire",
                () -> client.stub.tryLock(tryLock("mem", resource, "a", Integer.MIN_VALUE)));

        assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id", () -> client.stub.unlock(unlock("mem", "", "a")));
        assertStatus(Status.Code.INVALID_ARGUMENT, "lock_owner", () -> client.stub.unlock(unlock("mem", resource, " ")));

        assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id",
                () -> client.stub.lockKeepAlive(keepAlive("mem", "", "a", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "lock_owner",
                () -> client.stub.lockKeepAlive(keepAlive("mem", resource, "", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire",
                () -> client.stub.lockKeepAlive(keepAlive("mem", resource, "a", 0)));

        // Nothing was taken by the refused requests.
        assertThat(client.stub.tryLock(tryLock("mem", resource, "b", 30)).getSuccess()).isTrue();
    }

    @Test
    void anUnknownStoreIsInvalidArgumentNamingTheStore() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "'nosuch'", () -> client.stub.tryLock(tryLock("nosuch", "r", "a", 30)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "'nosuch'", () -> client.stub.unlock(unlock("nosuch", "r", "a")));
        assertStatus(Status.Code.INVALID_ARGUMENT, "'nosuch'",
                () -> client.stub.lockKeepAlive(keepAlive("nosuch", "r", "a", 30)));
        // Long names are cut in the message, so the status still fits in the trailers.
        String huge = "x".repeat(20_000);
        var e = assertStatus(Status.Code.INVALID_ARGUMENT, "Unknown lock store",
                () -> client.stub.tryLock(tryLock(huge, "r", "a", 30)));
        assertThat(e.getStatus().getDescription()).contains("(20000 chars)").hasSizeLessThan(1_000);
    }

    @Test
    void metricsCountGrpcOutcomesWithoutTreatingGrpcLocksAsHeldHere() {
        String resource = fresh("order");
        double acquiredBefore = acquireCount("acquired");
        double refusedBefore = acquireCount("not_acquired");
        double unlockedBefore = unlockCount("success");

        assertThat(client.stub.tryLock(tryLock("mem", resource, "alice", 30)).getSuccess()).isTrue();
        assertThat(client.stub.tryLock(tryLock("mem", resource, "bob", 30)).getSuccess()).isFalse();
        assertThat(meters.get("distributed.lock.active").tag("store", "mem").gauge().value())
                .as("a gRPC lock may never be unlocked, so it is not counted as held").isZero();
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);

        assertThat(acquireCount("acquired") - acquiredBefore).isGreaterThanOrEqualTo(1);
        assertThat(acquireCount("not_acquired") - refusedBefore).isGreaterThanOrEqualTo(1);
        assertThat(unlockCount("success") - unlockedBefore).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("distributed.lock.held").tags("store", "mem", "source", "grpc").timer().count())
                .as("no held time is known for gRPC locks").isZero();
    }

    private double acquireCount(String result) {
        var timer = meters.find("distributed.lock.acquire").tags("store", "mem", "source", "grpc", "result", result)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    private double unlockCount(String status) {
        var counter = meters.find("distributed.lock.unlock").tags("store", "mem", "source", "grpc", "status", status)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void otherMethodsOfLayottosRuntimeServiceAreUnimplemented() {
        MethodDescriptor<byte[], byte[]> sayHello = RawBytes.method(RuntimeGrpc.SERVICE_NAME, "SayHello");
        assertStatus(Status.Code.UNIMPLEMENTED, "",
                () -> ClientCalls.blockingUnaryCall(client.channel, sayHello,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]));
    }

    // TryLockResponse.fencing_token = 1000, our extension field: our clients read it, Layotto's skip it.

    @Test
    void aGrantCarriesAGrowingFencingTokenARefusalNone() {
        String resource = "fenced-" + UUID.randomUUID();
        TryLockResponse first = client.stub.tryLock(tryLock("mem", resource, "alice", 30));
        assertThat(first.getSuccess()).isTrue();
        assertThat(first.getFencingToken()).isPositive();
        TryLockResponse refused = client.stub.tryLock(tryLock("mem", resource, "bob", 30));
        assertThat(refused.getSuccess()).isFalse();
        assertThat(refused.getFencingToken()).as("no token without a grant").isZero();
        assertThat(client.stub.unlock(unlock("mem", resource, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        TryLockResponse second = client.stub.tryLock(tryLock("mem", resource, "bob", 30));
        assertThat(second.getFencingToken()).isGreaterThan(first.getFencingToken());
    }

    @Test
    void aLayottoClientWithoutTheFieldReadsTheResponse() throws Exception {
        String resource = "layotto-" + UUID.randomUUID();
        byte[] request = tryLock("mem", resource, "carol", 30).toByteArray();
        byte[] response = ClientCalls.blockingUnaryCall(client.channel,
                RawBytes.method(RuntimeGrpc.SERVICE_NAME, "TryLock"),
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);

        Descriptor layottoResponse = layottoTryLockResponse();
        assertThat(layottoResponse.findFieldByNumber(1000)).isNull();
        DynamicMessage parsed = DynamicMessage.parseFrom(layottoResponse, response);
        assertThat(parsed.getField(layottoResponse.findFieldByName("success"))).isEqualTo(true);
        assertThat(parsed.getUnknownFields().hasField(1000)).as("the extension, skipped as unknown").isTrue();
        assertThat(TryLockResponse.parseFrom(response).getFencingToken()).isPositive();
    }

    /** Layotto's TryLockResponse: {@code bool success = 1;} and nothing else. */
    private static Descriptor layottoTryLockResponse() throws Exception {
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("layotto_lock.proto")
                .setPackage("layotto.check").setSyntax("proto3")
                .addMessageType(DescriptorProto.newBuilder().setName("TryLockResponse")
                        .addField(FieldDescriptorProto.newBuilder().setName("success").setNumber(1)
                                .setType(FieldDescriptorProto.Type.TYPE_BOOL)
                                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)))
                .build();
        return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("TryLockResponse");
    }
}
