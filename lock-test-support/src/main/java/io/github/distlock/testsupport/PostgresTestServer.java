package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL for tests. From, in this order: {@value #ADDRESS_ENV} (a JDBC URL, {@code url|user|password} when
 * the URL does not carry them); a container when Docker is available; the server binaries of the Debian package
 * ({@code postgresql}, in {@code /usr/lib/postgresql/<version>/bin}) started on a free loopback port with a fresh
 * data directory under the temporary directory, as user {@code postgres} when the JVM runs as root (PostgreSQL
 * refuses root). Otherwise {@link TestServers#unavailable}.
 *
 * <p>Fault tests need a server they can stop and restart: {@link #startLocalProcess()} gives one (binary only).
 */
public final class PostgresTestServer extends JdbcTestServer {

    public static final String ADDRESS_ENV = "DISTLOCK_TEST_POSTGRES";
    private static final String IMAGE = "postgres:16-alpine";
    private static final String USER = "distlock";
    private static final String OS_USER = "postgres";

    private static PostgresTestServer shared;

    private final List<String> stopCommand;
    private final File workDirectory;

    private PostgresTestServer(String jdbcUrl, String username, String password, ServerProcess process,
            List<String> stopCommand, File workDirectory, AutoCloseable container) {
        super(jdbcUrl, username, password, process, container);
        this.stopCommand = stopCommand;
        this.workDirectory = workDirectory;
    }

    /** One server for every test class of this JVM that does not stop it; stopped when the JVM exits. */
    public static synchronized PostgresTestServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A server from wherever one is available (see the class comment), of the caller's own. */
    public static PostgresTestServer start() {
        String address = System.getenv(ADDRESS_ENV);
        if (address != null && !address.isBlank()) {
            String[] parts = external(address);
            return new PostgresTestServer(parts[0], parts[1], parts[2], null, null, null, null);
        }
        if (TestServers.dockerAvailable()) {
            return Container.start();
        }
        return startLocalProcess();
    }

    /** A {@code postgres} child process on a free loopback port, which tests can stop and restart. */
    public static PostgresTestServer startLocalProcess() {
        String postgres = findBinary("postgres", debianBinDirectories());
        String initdb = findBinary("initdb", debianBinDirectories());
        String pgCtl = findBinary("pg_ctl", debianBinDirectories());
        if (postgres == null || initdb == null || pgCtl == null) {
            throw TestServers.unavailable("PostgreSQL", "no " + ADDRESS_ENV + ", no Docker, and no postgres/initdb "
                    + "binaries on the PATH or in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)");
        }
        int port = TestServers.freePort();
        ServerProcess[] started = new ServerProcess[1];
        File dir = serverDirectory("postgres-" + port, OS_USER, () -> {
            if (started[0] != null) {
                started[0].kill();
            }
        });
        File data = new File(dir, "data");
        runToEnd(asUser(OS_USER, List.of(initdb, "-D", data.getPath(), "-U", USER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync")), new File(dir, "initdb.log"));
        List<String> command = new ArrayList<>(List.of(postgres, "-D", data.getPath(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200"));
        ServerProcess process = new ServerProcess("postgres-" + port, asUser(OS_USER, command), port, dir);
        started[0] = process;
        process.start();
        List<String> stop = asUser(OS_USER, List.of(pgCtl, "-D", data.getPath(), "stop", "-m", "fast", "-w",
                "-t", "30"));
        return new PostgresTestServer("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "", process, stop,
                dir, null);
    }

    private static List<Path> debianBinDirectories() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                    .sorted(Comparator.comparing(Path::toString).reversed()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A fast shutdown ({@code pg_ctl stop -m fast}): client connections are ended, the data is kept. */
    @Override
    public void stop() {
        requireProcess();
        runToEnd(stopCommand, new File(workDirectory, "pg_ctl.log"));
        process.stop();
    }

    /** Testcontainers, in a class of its own: loaded only with Docker. */
    private static final class Container {

        static PostgresTestServer start() {
            org.testcontainers.containers.GenericContainer<?> container =
                    new org.testcontainers.containers.GenericContainer<>(IMAGE)
                            .withEnv("POSTGRES_USER", USER).withEnv("POSTGRES_PASSWORD", USER)
                            .withEnv("POSTGRES_DB", USER).withExposedPorts(5432)
                            .waitingFor(org.testcontainers.containers.wait.strategy.Wait
                                    .forLogMessage(".*database system is ready to accept connections.*", 2));
            container.start();
            return new PostgresTestServer("jdbc:postgresql://" + container.getHost() + ":"
                    + container.getMappedPort(5432) + "/" + USER, USER, USER, null, null, null, container);
        }
    }
}
