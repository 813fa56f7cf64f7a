package io.github.distlock.store.etcd;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.ServerProcess;
import io.github.distlock.testsupport.TestServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The etcd store type through Spring Boot: properties, the application's Client bean, TLS, errors, health. */
class EtcdLockStoreAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class,
                    EtcdLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class,
                    SslAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "org.apache.curator"));

    @Test
    void aStoreFromEndpointsLocksAndIsHealthy() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=etcd",
                "distributed-lock.stores.orders.etcd.endpoints=" + EtcdTestServer.shared().endpoint(),
                "distributed-lock.stores.orders.etcd.namespace=/autoconfig-test/").run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.store("orders")).isInstanceOf(EtcdLockStore.class);
                    assertLocks(client, "orders");
                    Health health = storeHealth(context, "orders").health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("type", "etcd")
                            .containsEntry("address", EtcdTestServer.shared().endpoint())
                            .containsEntry("namespace", "/autoconfig-test/");
                });
    }

    @Test
    void theApplicationsClientBeanBecomesTheStoreAndIsLeftOpen() {
        try (Client own = EtcdTestStores.client(List.of(EtcdTestServer.shared().endpoint()),
                EtcdTestStores.REQUEST_TIMEOUT)) {
            runner.withBean("etcdClient", Client.class, () -> own).run(context -> {
                DistributedLockClient client = context.getBean(DistributedLockClient.class);
                assertThat(client.storeNames()).containsExactly("etcd");
                assertLocks(client, "etcd");
                context.getBean(LockStoreRegistry.class).destroy();
                // The store did not close the application's client.
                assertThat(own.getKVClient().get(ByteSequence.from("/any", StandardCharsets.UTF_8))
                        .get(5, TimeUnit.SECONDS).getCount()).isZero();
            });
        }
    }

    @Test
    void healthIsDownNamingTheStoreWhenEtcdCannotBeReached() {
        runner.withPropertyValues("distributed-lock.stores.orders.type=etcd",
                "distributed-lock.stores.orders.etcd.endpoints=http://127.0.0.1:" + TestServers.freePort(),
                "distributed-lock.stores.orders.etcd.request-timeout=500ms").run(context -> {
                    Health health = storeHealth(context, "orders").health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails().get("error").toString()).contains("'orders'");
                });
    }

    @Test
    void withoutSpringBootHealthThereIsNoIndicatorAndTheStoreWorks() {
        new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "org.apache.curator",
                        "org.springframework.boot.health"))
                .withUserConfiguration(ImportedByName.class)
                .withPropertyValues("distributed-lock.stores.orders.type=etcd",
                        "distributed-lock.stores.orders.etcd.endpoints=" + EtcdTestServer.shared().endpoint())
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("distributedLockHealthContributor");
                    assertLocks(context.getBean(DistributedLockClient.class), "orders");
                });
    }

    @Test
    void theOldPerTypeSwitchStillLeavesEtcdStoresOutOfTheHealthComponent() {
        runner.withPropertyValues("management.health.distributed-lock-etcd.enabled=false",
                "distributed-lock.stores.orders.type=etcd", "distributed-lock.stores.local.type=in-memory",
                "distributed-lock.default-store=local",
                "distributed-lock.stores.orders.etcd.endpoints=" + EtcdTestServer.shared().endpoint())
                .run(context -> assertThat(context.getBean("distributedLockHealthContributor",
                        CompositeHealthContributor.class).stream().map(CompositeHealthContributor.Entry::name))
                        .containsExactly("local"));
    }

    @Test
    void configurationMistakesNameTheProperty() {
        String store = "distributed-lock.stores.orders.";
        assertFails(store + "etcd.endpoints", "'127.0.0.1:2379' is not an etcd client URL",
                store + "type=etcd", store + "etcd.endpoints=127.0.0.1:2379");
        assertFails(store + "etcd.endpoints", "no single io.etcd.jetcd.Client bean", store + "type=etcd");
        assertFails(store + "etcd.password", "Only one of username and password",
                store + "type=etcd", store + "etcd.endpoints=http://127.0.0.1:2379", store + "etcd.username=me");
        assertFails(store + "etcd.ssl-bundle", "no SSL bundle 'missing'", store + "type=etcd",
                store + "etcd.endpoints=https://127.0.0.1:2379", store + "etcd.ssl-bundle=missing");
        assertFails(store + "etcd.endpoints", "https:// needs ssl-bundle",
                store + "type=etcd", store + "etcd.endpoints=https://127.0.0.1:2379");
        assertFails(store + "etcd.request-timeout", "not a positive duration", store + "type=etcd",
                store + "etcd.endpoints=http://127.0.0.1:2379", store + "etcd.request-timeout=0s");
        assertFails(store + "etcd.namespace", "namespace is empty", store + "type=etcd",
                store + "etcd.endpoints=http://127.0.0.1:2379", store + "etcd.namespace=");
    }

    @Test
    void tlsThroughASpringBootSslBundleAgainstAnEtcdServingTls() throws Exception {
        String binary = TestServers.findBinary("etcd");
        if (binary == null) {
            throw TestServers.unavailable("etcd", "the TLS test starts the etcd binary with a certificate");
        }
        File dir = TestServers.workDirectory("etcd-tls");
        Path certificate = dir.toPath().resolve("server.crt");
        Path key = dir.toPath().resolve("server.key");
        selfSignedCertificate(dir, certificate, key);
        int clientPort = TestServers.freePort();
        int peerPort = TestServers.freePort();
        String client = "https://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        try (ServerProcess etcd = new ServerProcess("etcd-tls", List.of(binary, "--name", "tls",
                "--data-dir", new File(dir, "data").getPath(), "--listen-client-urls", client,
                "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "tls=" + peer, "--cert-file", certificate.toString(), "--key-file",
                key.toString(), "--logger", "zap", "--log-outputs", "stderr"), clientPort, dir)) {
            etcd.start();
            runner.withPropertyValues("spring.ssl.bundle.pem.etcd.truststore.certificate=file:" + certificate,
                    "distributed-lock.stores.secure.type=etcd", "distributed-lock.stores.secure.etcd.endpoints="
                            + client, "distributed-lock.stores.secure.etcd.ssl-bundle=etcd").run(context -> {
                                assertThat(context).hasNotFailed();
                                DistributedLockClient locks = context.getBean(DistributedLockClient.class);
                                awaitHealthy(context, "secure", etcd);
                                assertLocks(locks, "secure");
                            });
        }
    }

    private static void awaitHealthy(AssertableApplicationContext context, String store, ServerProcess etcd)
            throws InterruptedException {
        HealthIndicator health = storeHealth(context, store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (health.health().getStatus().equals(Status.UP)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Store " + store + " did not become healthy: " + health.health().getDetails()
                + "\n" + etcd.tail());
    }

    private static HealthIndicator storeHealth(AssertableApplicationContext context, String store) {
        return (HealthIndicator) context.getBean("distributedLockHealthContributor", CompositeHealthContributor.class)
                .getContributor(store);
    }

    /** A key pair and self-signed certificate for 127.0.0.1, made by the JDK's keytool, written as PEM files. */
    private static void selfSignedCertificate(File dir, Path certificate, Path key) throws Exception {
        File keyStore = new File(dir, "server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "etcd", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", keyStore.getPath(),
                "-storetype", "PKCS12", "-storepass", "changeit").redirectErrorStream(true)
                .redirectOutput(new File(dir, "keytool.log")).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(Files.readString(dir.toPath().resolve("keytool.log"))).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore.toPath())) {
            store.load(in, "changeit".toCharArray());
        }
        Files.writeString(certificate, pem("CERTIFICATE", store.getCertificate("etcd").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", store.getKey("etcd", "changeit".toCharArray()).getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void assertLocks(DistributedLockClient client, String store) {
        String resource = "autoconfig-" + UUID.randomUUID();
        assertThat(client.tryLock(new TryLockRequest(store, resource, "me", 10)).success()).isTrue();
        assertThat(client.tryLock(new TryLockRequest(store, resource, "you", 10)).success()).isFalse();
        assertThat(client.unlock(new UnlockRequest(store, resource, "me")).status().name()).isEqualTo("SUCCESS");
    }

    private void assertFails(String property, String problem, String... properties) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause != null && !(cause instanceof InvalidLockConfigurationException)) {
                cause = cause.getCause();
            }
            assertThat(cause).as("startup failure of %s", List.of(properties))
                    .isInstanceOf(InvalidLockConfigurationException.class);
            assertThat(((InvalidLockConfigurationException) cause).getProperty()).isEqualTo(property);
            assertThat(cause.getMessage()).contains(problem);
        });
    }

    /**
     * Imports the auto-configurations by class name, as an application's imports file does: Spring then reads their
     * annotations without loading the classes and skips one whose type is missing, as
     * {@code @ConditionalOnEnabledHealthIndicator} is without spring-boot-health. ({@link AutoConfigurations} would
     * load them, and their health condition with them.)
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
            EtcdLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class})
    static class ImportedByName {
    }
}
