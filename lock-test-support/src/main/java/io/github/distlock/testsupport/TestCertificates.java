package io.github.distlock.testsupport;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A self-signed server key and certificate for {@code 127.0.0.1} and {@code localhost}, made with the JDK's
 * {@code keytool}, valid for two days: for TLS tests on loopback. The keystore doubles as the client's trust store
 * (Java trusts the certificate of a key entry).
 */
public final class TestCertificates {

    /** Password of the keystore and its key. */
    public static final String PASSWORD = "changeit";

    private TestCertificates() {
    }

    /** Writes {@code dir/server.p12}: PKCS12, password {@link #PASSWORD}, alias {@code server}. */
    public static File serverKeystore(Path dir) throws Exception {
        File keystore = dir.resolve("server.p12").toFile();
        Process keytool = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.getPath(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        return keystore;
    }
}
