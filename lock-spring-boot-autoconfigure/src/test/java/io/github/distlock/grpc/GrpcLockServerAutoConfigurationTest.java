package io.github.distlock.grpc;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.testsupport.TestCertificates;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.server.NettyGrpcServerFactory;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/** When and how the gRPC Lock API server is set up. */
class GrpcLockServerAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class,
                    GrpcLockServerAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("distributed-lock.stores.mem.type=in-memory");

    @Test
    void offUnlessEnabled() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DistributedLockClient.class)
                    .doesNotHaveBean(GrpcLockServer.class).doesNotHaveBean(GrpcLockService.class);
        });
    }

    @Test
    void defaultsAreLayottosPortOnLoopback() {
        GrpcLockServerProperties defaults = new GrpcLockServerProperties();
        assertThat(defaults.isEnabled()).isFalse();
        assertThat(defaults.getPort()).isEqualTo(34904);
        assertThat(defaults.getAddress()).isEqualTo("127.0.0.1");
        assertThat(GrpcLockServerAutoConfiguration.serverAddress(defaults.getAddress(), defaults.getPort()))
                .isEqualTo("127.0.0.1:34904");
        assertThat(GrpcLockServerAutoConfiguration.serverAddress("::1", 34904)).isEqualTo("[::1]:34904");
        assertThat(GrpcLockServerAutoConfiguration.serverAddress("*", 34904)).isEqualTo("*:34904");
    }

    @Test
    void withoutSpringGrpcTheStarterWorksAsBefore() {
        runner.withClassLoader(new FilteredClassLoader(NettyGrpcServerFactory.class)).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DistributedLockClient.class)
                    .doesNotHaveBean(GrpcLockServer.class);
            assertThat(context.getBean(DistributedLockClient.class)
                    .tryLock(new io.github.distlock.api.TryLockRequest("", "r", "o", 10)).success()).isTrue();
        });
    }

    @Test
    void enablingItWithoutSpringGrpcSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader(NettyGrpcServerFactory.class))
                .withPropertyValues("distributed-lock.grpc.enabled=true")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.enabled")
                        .hasMessageContaining("spring-grpc-server-spring-boot-starter"));
    }

    @Test
    void enablingItWithoutGrpcNettySaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader("io.grpc.netty."))
                .withPropertyValues("distributed-lock.grpc.enabled=true")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.enabled")
                        .hasMessageContaining("io.grpc:grpc-netty"));
    }

    @Test
    void enablingItWithLocksSwitchedOffFailsInsteadOfServingNothing() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.enabled=false")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.enabled")
                        .hasMessageContaining("distributed-lock.enabled=false"));
    }

    @Test
    void servesOnTheConfiguredPortAndLoopbackAddress() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0")
                .run(context -> {
                    GrpcLockServer server = context.getBean(GrpcLockServer.class);
                    assertThat(server.isRunning()).isTrue();
                    assertThat(server.getAddress()).isEqualTo("127.0.0.1:0");
                    assertThat(server.getPort()).isPositive();
                    try (LockApiChannel client = new LockApiChannel(server.getPort())) {
                        assertThat(client.stub.tryLock(tryLock("", "r", "o", 10)).getSuccess()).isTrue();
                    }
                });
    }

    @Test
    void reflectionDescribesTheLockApi() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0")
                .run(context -> {
                    try (LockApiChannel client = new LockApiChannel(context.getBean(GrpcLockServer.class).getPort())) {
                        assertThat(listServices(client.channel)).containsExactlyInAnyOrder(RuntimeGrpc.SERVICE_NAME,
                                "grpc.reflection.v1.ServerReflection");
                    }
                });
    }

    private static List<String> listServices(ManagedChannel channel) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList();
    }

    @Test
    void aPortOutOfRangeIsAConfigurationError() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=70000")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.port"));
    }

    @Test
    void maxConcurrentCallsBelowOneAndANegativeLogIntervalAreConfigurationErrors() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.max-concurrent-calls=0")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.max-concurrent-calls"));
        runner.withPropertyValues("distributed-lock.grpc.enabled=true",
                        "distributed-lock.grpc.failure-log-interval=-1s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.failure-log-interval"));
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0",
                        "distributed-lock.grpc.max-concurrent-calls=7")
                .run(context -> assertThat(context.getBean(GrpcLockService.class).maxConcurrentCalls()).isEqualTo(7));
    }

    @Test
    void aNegativeMaxWaitTimeAndMaxWaitingCallsBelowOneAreConfigurationErrors() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.max-wait-time=-1s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.max-wait-time"));
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.max-waiting-calls=0")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.max-waiting-calls"));
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0",
                        "distributed-lock.grpc.max-waiting-calls=3", "distributed-lock.grpc.max-wait-time=2s")
                .run(context -> {
                    GrpcLockService service = context.getBean(GrpcLockService.class);
                    assertThat(service.maxWaitingCalls()).isEqualTo(3);
                    List<Throwable> errors = new ArrayList<>();
                    service.tryLock(TryLockRequest.newBuilder().setResourceId("r").setLockOwner("o").setExpire(5)
                            .setWaitTimeMs(2_001).build(), new StreamObserver<>() {
                                @Override
                                public void onNext(TryLockResponse value) {
                                }

                                @Override
                                public void onError(Throwable t) {
                                    errors.add(t);
                                }

                                @Override
                                public void onCompleted() {
                                }
                            });
                    assertThat(errors).singleElement().asString()
                            .contains("INVALID_ARGUMENT", "between 0 and 2000 milliseconds");
                });
    }

    @Test
    void anUnknownSslBundleIsAConfigurationError() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0",
                        "distributed-lock.grpc.ssl.bundle=nosuch")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.ssl.bundle")
                        .hasMessageContaining("nosuch"));
    }

    @Test
    void clientAuthWithoutTlsIsAConfigurationError() {
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0",
                        "distributed-lock.grpc.ssl.client-auth=require")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.grpc.ssl.client-auth"));
    }

    @Test
    void noStoreAtAllIsFailedPrecondition() {
        // Configuration always yields a store; only an application's own client can have none.
        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0")
                .withBean(DistributedLockClient.class,
                        () -> new DistributedLockClient(Map.of(), "", LockKeyNamespace.none()))
                .run(context -> {
                    try (LockApiChannel client = new LockApiChannel(context.getBean(GrpcLockServer.class).getPort())) {
                        assertStatus(Status.Code.FAILED_PRECONDITION, "No lock store is configured",
                                () -> client.stub.tryLock(tryLock("", "r", "o", 10)));
                        assertStatus(Status.Code.FAILED_PRECONDITION, "No lock store is configured",
                                () -> client.stub.unlock(unlock("", "r", "o")));
                    }
                });
    }

    @Test
    void tlsThroughAnSslBundle(@TempDir Path dir) throws Exception {
        File keystore = TestCertificates.serverKeystore(dir);

        runner.withPropertyValues("distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0",
                        "distributed-lock.grpc.ssl.bundle=lock",
                        "spring.ssl.bundle.jks.lock.keystore.location=file:" + keystore.getPath(),
                        "spring.ssl.bundle.jks.lock.keystore.password=changeit",
                        "spring.ssl.bundle.jks.lock.keystore.type=PKCS12")
                .run(context -> {
                    int port = context.getBean(GrpcLockServer.class).getPort();
                    ManagedChannel tls = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                            TlsChannelCredentials.newBuilder().trustManager(trusting(keystore)).build()).build();
                    ManagedChannel plaintext = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                            InsecureChannelCredentials.create()).build();
                    try {
                        var stub = RuntimeGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS);
                        assertThat(stub.tryLock(tryLock("", "tls", "o", 10)).getSuccess()).isTrue();
                        assertThat(stub.unlock(unlock("", "tls", "o")).getStatus())
                                .isEqualTo(UnlockResponse.Status.SUCCESS);
                        assertStatus(Status.Code.UNAVAILABLE, "", () -> RuntimeGrpc.newBlockingStub(plaintext)
                                .withDeadlineAfter(10, TimeUnit.SECONDS).tryLock(tryLock("", "tls", "o", 10)));
                    } finally {
                        tls.shutdownNow();
                        plaintext.shutdownNow();
                    }
                });
    }

    /** Trusts exactly the server certificate in {@code keystore}. */
    private static TrustManager[] trusting(File keystore) throws Exception {
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore)) {
            server.load(in, "changeit".toCharArray());
        }
        Certificate certificate = server.getCertificate("server");
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory.getTrustManagers();
    }
}
