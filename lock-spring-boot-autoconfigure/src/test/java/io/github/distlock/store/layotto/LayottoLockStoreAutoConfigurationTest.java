package io.github.distlock.store.layotto;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.TestCertificates;
import io.github.distlock.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The layotto store type through Spring Boot, against this project's sidecar on loopback: settings, TLS, the checks
 * at startup (loopback rule, the sidecar-side store name), INVALID_ARGUMENT at run time, health.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LayottoLockStoreAutoConfigurationTest {

    private static final String PREFIX = "distributed-lock.stores.side.layotto";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, LayottoLockStoreAutoConfiguration.class,
                    DistributedLockHealthAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("spring.application.name=app", "distributed-lock.stores.side.type=layotto");

    private TestSidecar sidecar;

    @BeforeAll
    void startSidecar() {
        sidecar = TestSidecar.inMemory(0);
    }

    @AfterAll
    void stopSidecar() {
        sidecar.close();
    }

    @Test
    void aStoreLocksThroughTheSidecarAndIsHealthy() {
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address(), PREFIX + ".store-name=mem")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.store("side")).isInstanceOf(LayottoLockStore.class);
                    assertThat(client.tryLock(new TryLockRequest("side", "order-1", "alice", 30)).success()).isTrue();
                    assertThat(client.tryLock(new TryLockRequest("side", "order-1", "bob", 30)).success()).isFalse();
                    assertThat(client.keepAlive(new LockKeepAliveRequest("side", "order-1", "alice", 30)).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(client.unlock(new UnlockRequest("side", "order-1", "bob")).status())
                            .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
                    assertThat(client.unlock(new UnlockRequest("side", "order-1", "alice")).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    Health health = ((HealthIndicator) context.getBean("distributedLockHealthContributor",
                            CompositeHealthContributor.class).getContributor("side")).health(true);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("type", "layotto")
                            .containsEntry("address", sidecar.address()).containsEntry("keepAlive", "IMPLEMENTED");
                });
    }

    @Test
    void theSidecarHoldsTheLockUnderTheApplicationsPrefixOrTheBareResourceWithoutOne() {
        DistributedLockClient sidecarClient = sidecar.context().getBean(DistributedLockClient.class);
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address()).run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.tryLock(new TryLockRequest("side", "prefixed", "alice", 30)).success()).isTrue();
            assertThat(sidecarClient.tryLock(new TryLockRequest("mem", "app:prefixed", "bob", 30)).success())
                    .as("the sidecar's store holds app:prefixed").isFalse();
        });
        // With key-prefix none, the application locks the same resource ids as the sidecar's other clients.
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address(), "distributed-lock.key-prefix=none")
                .run(context -> {
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.tryLock(new TryLockRequest("side", "shared", "alice", 30)).success()).isTrue();
                    assertThat(sidecarClient.tryLock(new TryLockRequest("mem", "shared", "bob", 30)).success())
                            .isFalse();
                });
    }

    @Test
    void withoutGrpcAStoreOfTheTypeSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader("io.grpc.stub."))
                .withPropertyValues(PREFIX + ".address=" + sidecar.address())
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining("distributed-lock.stores.side.type")
                        .hasMessageContaining("spring-grpc-client-spring-boot-starter"));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class, LayottoLockStoreAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.grpc.stub."))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(DistributedLockClient.class));
    }

    @Test
    void plaintextToAnAddressBeyondLoopbackStopsStartupNamingTheSettings() {
        // 192.0.2.0/24 is reserved for documentation: the check refuses it before any connection is made.
        runner.withPropertyValues(PREFIX + ".address=192.0.2.10:34904").run(context -> {
            assertThat(context).getFailure().rootCause().isInstanceOf(InvalidLockConfigurationException.class)
                    .hasMessageContaining(PREFIX + ".address").hasMessageContaining("not a loopback address")
                    .hasMessageContaining(PREFIX + ".ssl-bundle").hasMessageContaining(PREFIX + ".plaintext-allowed");
        });
    }

    @Test
    void plaintextIsAllowedOnLoopbackOrWhenSaidSo() {
        LockStoreDefinition<LayottoLockStoreProperties> definition = new LockStoreDefinition<>("side",
                new LayottoLockStoreProperties(), PREFIX);
        for (String loopback : new String[] {"127.0.0.1", "127.9.8.7", "localhost", "LOCALHOST", "::1",
                "0:0:0:0:0:0:0:1"}) {
            LayottoLockStoreFactory.requirePlaintextAllowed(definition.properties(), loopback, definition);
        }
        for (String beyond : new String[] {"192.0.2.10", "0.0.0.0", "::", "sidecar", "localhost.example"}) {
            assertThatThrownBy(() -> LayottoLockStoreFactory.requirePlaintextAllowed(definition.properties(), beyond,
                    definition)).as(beyond).isInstanceOf(InvalidLockConfigurationException.class);
        }
        definition.properties().setPlaintextAllowed(true);
        LayottoLockStoreFactory.requirePlaintextAllowed(definition.properties(), "192.0.2.10", definition);
    }

    @Test
    void addressesAreHostAndPortWithLayottosPortByDefault() {
        assertThat(LayottoLockStoreFactory.hostAndPort(" 127.0.0.1:4000 ", "a")).containsExactly("127.0.0.1", "4000");
        assertThat(LayottoLockStoreFactory.hostAndPort("localhost", "a")).containsExactly("localhost", "34904");
        assertThat(LayottoLockStoreFactory.hostAndPort("[::1]:4000", "a")).containsExactly("::1", "4000");
        assertThat(LayottoLockStoreFactory.hostAndPort("[::1]", "a")).containsExactly("::1", "34904");
        assertThat(LayottoLockStoreFactory.hostAndPort("::1", "a")).containsExactly("::1", "34904");
        for (String wrong : new String[] {"", ":4000", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "[::1",
                "[::1]x", "host:port"}) {
            runner.withPropertyValues(PREFIX + ".address=" + wrong).run(context -> assertThat(context).getFailure()
                    .as(wrong).rootCause().isInstanceOf(InvalidLockConfigurationException.class)
                    .hasMessageContaining(PREFIX + ".address").hasMessageContaining("host:port"));
        }
    }

    @Test
    void aDeadlineThatIsNotPositiveStopsStartup() {
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address(), PREFIX + ".deadline=0s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining(PREFIX + ".deadline"));
    }

    @Test
    void aStoreNameTheSidecarDoesNotKnowStopsStartupNamingTheSetting() {
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address(), PREFIX + ".store-name=nosuch")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining(PREFIX + ".store-name").hasMessageContaining("'nosuch'")
                        .hasMessageContaining("INVALID_ARGUMENT"));
    }

    @Test
    void invalidArgumentFromASidecarThatCameUpLaterNamesTheSetting() {
        int port = TestServers.freePort();
        runner.withPropertyValues(PREFIX + ".address=127.0.0.1:" + port, PREFIX + ".store-name=nosuch")
                .run(context -> {
                    assertThat(context).as("the sidecar is not up yet: startup goes on").hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    try (TestSidecar late = TestSidecar.inMemory(port)) {
                        assertThatThrownBy(() -> LayottoTestStores.whenServed(Duration.ofSeconds(3),
                                () -> client.tryLock(new TryLockRequest("side", "r", "alice", 30))))
                                .isInstanceOf(LockStoreException.class)
                                .hasMessageContaining("Lock store 'side'")
                                .hasMessageContaining("INVALID_ARGUMENT")
                                .hasMessageContaining("Unknown lock store")
                                .hasMessageContaining(PREFIX + ".store-name ('nosuch')");
                    }
                });
    }

    @Test
    void aServerThatIsNotALockApiSidecarStopsStartupNamingTheAddress() throws Exception {
        try (BareGrpcServer nothing = BareGrpcServer.start(0)) {
            runner.withPropertyValues(PREFIX + ".address=127.0.0.1:" + nothing.port()).run(context -> assertThat(
                    context).getFailure().rootCause().isInstanceOf(InvalidLockConfigurationException.class)
                    .hasMessageContaining(PREFIX + ".address").hasMessageContaining("UNIMPLEMENTED"));
        }
    }

    @Test
    void tlsThroughAnSslBundle(@TempDir Path dir) throws Exception {
        File keystore = TestCertificates.serverKeystore(dir);
        String serverBundle = "spring.ssl.bundle.jks.server.keystore.";
        try (TestSidecar tls = TestSidecar.inMemory(0, "distributed-lock.grpc.ssl.bundle=server",
                serverBundle + "location=file:" + keystore.getPath(), serverBundle + "password=changeit",
                serverBundle + "type=PKCS12")) {
            String trust = "spring.ssl.bundle.jks.sidecar.truststore.";
            runner.withPropertyValues(PREFIX + ".address=" + tls.address(), PREFIX + ".ssl-bundle=sidecar",
                    trust + "location=file:" + keystore.getPath(), trust + "password=changeit",
                    trust + "type=PKCS12").run(context -> {
                        assertThat(context).hasNotFailed();
                        DistributedLockClient client = context.getBean(DistributedLockClient.class);
                        assertThat(client.tryLock(new TryLockRequest("side", "tls", "alice", 30)).success()).isTrue();
                        assertThat(client.unlock(new UnlockRequest("side", "tls", "alice")).status())
                                .isEqualTo(LockStatus.SUCCESS);
                    });
            runner.withPropertyValues(PREFIX + ".address=" + tls.address(), PREFIX + ".deadline=2s").run(context -> {
                assertThat(context).as("plaintext to a TLS sidecar: not reachable, startup goes on").hasNotFailed();
                long start = System.nanoTime();
                assertThatThrownBy(() -> context.getBean(DistributedLockClient.class)
                        .tryLock(new TryLockRequest("side", "tls", "bob", 30)))
                        .isInstanceOf(LockStoreException.class).hasMessageContaining("Lock store 'side'")
                        .hasMessageMatching("(?s).*(UNAVAILABLE|DEADLINE_EXCEEDED).*");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
            });
        }
    }

    @Test
    void anUnknownSslBundleStopsStartup() {
        runner.withPropertyValues(PREFIX + ".address=" + sidecar.address(), PREFIX + ".ssl-bundle=nosuch")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidLockConfigurationException.class)
                        .hasMessageContaining(PREFIX + ".ssl-bundle").hasMessageContaining("nosuch"));
    }
}
