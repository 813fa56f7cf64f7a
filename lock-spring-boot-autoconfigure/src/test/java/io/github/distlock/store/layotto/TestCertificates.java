package io.github.distlock.store.layotto;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A self-signed server key and certificate for 127.0.0.1 and localhost, made with the JDK's keytool. */
final class TestCertificates {

    private TestCertificates() {
    }

    /** {@code dir/server.p12}: PKCS12, password {@code changeit}, alias {@code server}. */
    static File serverKeystore(Path dir) throws Exception {
        File keystore = dir.resolve("server.p12").toFile();
        Process keytool = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.getPath(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        return keystore;
    }
}
