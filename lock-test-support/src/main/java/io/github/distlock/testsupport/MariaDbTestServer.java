package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB for tests. From, in this order: {@value #ADDRESS_ENV} (a JDBC URL, {@code url|user|password} when the
 * URL does not carry them); a container when Docker is available; the Debian package's {@code mariadbd}
 * ({@code mariadb-server}) on a free loopback port with a data directory made by {@code mariadb-install-db} under
 * the temporary directory, as user {@code mysql} when the JVM runs as root. Otherwise
 * {@link TestServers#unavailable}. The database {@code distlock} and user {@code distlock} (password
 * {@code distlock}) are created by an init file at every start.
 *
 * <p>Fault tests need a server they can stop and restart: {@link #startLocalProcess()} gives one (binary only).
 */
public final class MariaDbTestServer extends JdbcTestServer {

    public static final String ADDRESS_ENV = "DISTLOCK_TEST_MARIADB";
    private static final String IMAGE = "mariadb:11.4";
    private static final String USER = "distlock";
    private static final String OS_USER = "mysql";
    private static final List<Path> SBIN = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"));

    private static MariaDbTestServer shared;

    private MariaDbTestServer(String jdbcUrl, String username, String password, ServerProcess process,
            AutoCloseable container) {
        super(jdbcUrl, username, password, process, container);
    }

    /** One server for every test class of this JVM that does not stop it; stopped when the JVM exits. */
    public static synchronized MariaDbTestServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A server from wherever one is available (see the class comment), of the caller's own. */
    public static MariaDbTestServer start() {
        String address = System.getenv(ADDRESS_ENV);
        if (address != null && !address.isBlank()) {
            String[] parts = external(address);
            return new MariaDbTestServer(parts[0], parts[1], parts[2], null, null);
        }
        if (TestServers.dockerAvailable()) {
            return Container.start();
        }
        return startLocalProcess();
    }

    /** A {@code mariadbd} child process on a free loopback port, which tests can stop and restart. */
    public static MariaDbTestServer startLocalProcess() {
        String server = findBinary("mariadbd", SBIN);
        String installDb = findBinary("mariadb-install-db", SBIN);
        if (server == null || installDb == null) {
            throw TestServers.unavailable("MariaDB", "no " + ADDRESS_ENV + ", no Docker, and no mariadbd/"
                    + "mariadb-install-db binaries (Debian: apt-get install mariadb-server)");
        }
        int port = TestServers.freePort();
        ServerProcess[] started = new ServerProcess[1];
        File dir = serverDirectory("mariadb-" + port, OS_USER, () -> {
            if (started[0] != null) {
                started[0].kill();
            }
        });
        List<String> asServerUser = new ArrayList<>();
        if (runningAsRoot()) {
            asServerUser.add("--user=" + OS_USER);
        }
        File data = new File(dir, "data");
        List<String> sizes = List.of("--innodb-log-file-size=16M", "--innodb-buffer-pool-size=64M");
        List<String> install = new ArrayList<>(List.of(installDb, "--no-defaults", "--datadir=" + data,
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        install.addAll(asServerUser);
        install.addAll(sizes);
        runToEnd(install, new File(dir, "install.log"));
        File init = new File(dir, "init.sql");
        try {
            Files.writeString(init.toPath(), "CREATE DATABASE IF NOT EXISTS " + USER + ";\n"
                    + "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + USER + "';\n"
                    + "GRANT ALL ON " + USER + ".* TO '" + USER + "'@'%';\n");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write " + init, e);
        }
        List<String> command = new ArrayList<>(List.of(server, "--no-defaults", "--datadir=" + data,
                "--port=" + port, "--bind-address=127.0.0.1", "--skip-name-resolve",
                "--socket=" + new File(dir, "mariadbd.sock"), "--init-file=" + init,
                "--log-error=" + new File(dir, "error.log"), "--pid-file=" + new File(dir, "mariadbd.pid"),
                "--innodb-flush-log-at-trx-commit=2", "--max-connections=300"));
        command.addAll(asServerUser);
        command.addAll(sizes);
        ServerProcess process = new ServerProcess("mariadb-" + port, command, port, dir);
        started[0] = process;
        process.start();
        return new MariaDbTestServer("jdbc:mariadb://127.0.0.1:" + port + "/" + USER, USER, USER, process, null);
    }

    /** Testcontainers, in a class of its own: loaded only with Docker. */
    private static final class Container {

        static MariaDbTestServer start() {
            org.testcontainers.containers.GenericContainer<?> container =
                    new org.testcontainers.containers.GenericContainer<>(IMAGE)
                            .withEnv("MARIADB_USER", USER).withEnv("MARIADB_PASSWORD", USER)
                            .withEnv("MARIADB_DATABASE", USER).withEnv("MARIADB_RANDOM_ROOT_PASSWORD", "yes")
                            .withExposedPorts(3306)
                            .waitingFor(org.testcontainers.containers.wait.strategy.Wait
                                    .forLogMessage(".*ready for connections.*", 2));
            container.start();
            return new MariaDbTestServer("jdbc:mariadb://" + container.getHost() + ":"
                    + container.getMappedPort(3306) + "/" + USER, USER, USER, null, container);
        }
    }
}
