package io.github.distlock.sample;

import java.util.concurrent.TimeUnit;

import io.github.distlock.grpc.GrpcLockServer;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app is a lock sidecar too: a gRPC client (any language, here Java) holding an order's lock keeps the
 * HTTP payment of that order out until it unlocks.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sample.payment.gateway-latency=10ms", "sample.payment.lock-wait=200ms", "distributed-lock.grpc.port=0"})
class SampleGrpcSidecarTest {

    @Autowired
    private Environment environment;

    @Autowired
    private GrpcLockServer grpcServer;

    @Autowired
    private ApplicationContext context;

    @Test
    void onlyTheLockApiServerRunsNotASecondSpringGrpcServer() {
        assertThat(grpcServer.isRunning()).isTrue();
        assertThat(context.getBeansOfType(GrpcServerLifecycle.class)).as("Spring gRPC's own server").isEmpty();
    }

    @Test
    void anOrderLockedOverGrpcIsNotPaidUntilUnlocked() throws InterruptedException {
        RestClient http = RestClient.create("http://127.0.0.1:" + environment.getProperty("local.server.port"));
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcServer.getPort(),
                InsecureChannelCredentials.create()).build();
        try {
            var lockApi = RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            // Same resource id as PaymentService's @DistributedLock key; the app's key prefix applies to both.
            assertThat(lockApi.tryLock(TryLockRequest.newBuilder().setResourceId("order:G-1")
                    .setLockOwner("grpc-client").setExpire(30).build()).getSuccess()).isTrue();

            assertThat(pay(http, "G-1")).isEqualTo(HttpStatus.CONFLICT);

            assertThat(lockApi.unlock(UnlockRequest.newBuilder().setResourceId("order:G-1")
                    .setLockOwner("grpc-client").build()).getStatus()).isEqualTo(UnlockResponse.Status.SUCCESS);
            assertThat(pay(http, "G-1")).isEqualTo(HttpStatus.OK);
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static HttpStatus pay(RestClient http, String orderId) {
        Integer status = http.post().uri("/orders/{id}/pay", orderId)
                .exchange((request, response) -> response.getStatusCode().value());
        return HttpStatus.valueOf(status);
    }
}
