package io.github.distlock.grpc;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TryLockResponse's extension field {@code fencing_token = 1000}: a client generated from our proto reads it, and a
 * Layotto client (whose TryLockResponse has {@code success} only) still reads the response.
 */
@SpringBootTest(classes = GrpcLockTestApplication.class, properties = {
        "spring.application.name=grpc-test",
        "distributed-lock.stores.mem.type=in-memory",
        "distributed-lock.default-store=mem",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcFencingTokenTest {

    @Autowired
    GrpcLockServer server;

    LockApiChannel client;

    @BeforeAll
    void connect() {
        client = new LockApiChannel(server.getPort());
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        client.close();
    }

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
