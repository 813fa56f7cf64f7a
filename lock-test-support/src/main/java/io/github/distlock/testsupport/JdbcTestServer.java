package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A database server for the JDBC store's tests, reached by a JDBC URL with a user and password: from an environment
 * variable, a Testcontainers container, or a local server process (see {@link PostgresTestServer},
 * {@link MariaDbTestServer}). Local processes can be stopped and started again on the same port and data.
 */
public abstract class JdbcTestServer implements AutoCloseable {

    private final String jdbcUrl;
    private final String username;
    private final String password;
    /** The local server process; null for a container or an external server. */
    protected final ServerProcess process;
    private final AutoCloseable container;

    protected JdbcTestServer(String jdbcUrl, String username, String password, ServerProcess process,
            AutoCloseable container) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.process = process;
        this.container = container;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** URL, user and password in one string ({@code url|user|password}, empty parts: none), for a {@link ChildJvm}. */
    public String connectionString() {
        return jdbcUrl + "|" + username + "|" + password;
    }

    /** Whether this server is a child process that {@link #stop()} and {@link #restart()} control. */
    public boolean isLocalProcess() {
        return process != null;
    }

    /** Shuts the server down (a clean, fast shutdown that ends client connections); local processes only. */
    public void stop() {
        requireProcess().stop();
    }

    /** Starts the stopped server again on the same port, with its data. */
    public void restart() {
        requireProcess().start();
    }

    /** Stops the local process, or the container. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                stop();
            } catch (RuntimeException e) {
                process.kill();
            }
        }
        if (container != null) {
            try {
                container.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot stop the container of " + jdbcUrl, e);
            }
        }
    }

    protected ServerProcess requireProcess() {
        if (process == null) {
            throw new IllegalStateException("This database is not a child process of the test; use "
                    + "startLocalProcess()");
        }
        return process;
    }

    /** {@code url}, or {@code url|user|password}, from an environment variable, split in three. */
    static String[] external(String address) {
        return (address.trim() + "||").split("\\|", -1);
    }

    /**
     * A Hikari pool on this server: at most 10 connections, 10 s to get one, started even when the server is down;
     * {@code customizer} may change it.
     */
    public HikariDataSource dataSource(Consumer<HikariConfig> customizer) {
        return dataSource(connectionString(), customizer);
    }

    /** As {@link #dataSource(Consumer)}, from a {@link #connectionString()}. */
    public static HikariDataSource dataSource(String connectionString, Consumer<HikariConfig> customizer) {
        String[] parts = connectionString.split("\\|", 3);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(parts[0]);
        if (parts.length > 1 && !parts[1].isEmpty()) {
            config.setUsername(parts[1]);
        }
        if (parts.length > 2 && !parts[2].isEmpty()) {
            config.setPassword(parts[2]);
        }
        config.setMaximumPoolSize(10);
        // A pool's first connection loads the driver and, on a server just started, waits for it to warm up: on a
        // loaded machine that has taken over 2 s. A test of a server that is down lowers it.
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(-1);
        customizer.accept(config);
        return new HikariDataSource(config);
    }

    /** Whether this JVM runs as root, where database servers must run as their own unprivileged user. */
    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A fresh directory for one server's data and logs, owned by {@code osUser} when this JVM runs as root. It is
     * under the system's temporary directory rather than the build's: the server's own user must be able to reach
     * it, which a checkout under {@code /root} would not allow. {@code cleanup} runs at JVM exit, and then the
     * directory is deleted.
     */
    static File serverDirectory(String name, String osUser, Runnable cleanup) {
        try {
            File directory = Files.createTempDirectory("distlock-" + name + "-").toFile();
            if (runningAsRoot()) {
                chown(directory, osUser);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cleanup.run();
                deleteRecursively(directory.toPath());
            }, "remove-" + directory.getName()));
            return directory;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a directory for " + name, e);
        }
    }

    /** Deletes {@code root} and everything under it, as far as it can (a file still open is left). */
    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // at JVM exit: a directory left in the temporary directory is harmless
        }
    }

    /** Makes {@code user} the owner of {@code directory} (only root may). */
    static void chown(File directory, String user) {
        try {
            UserPrincipalLookupService users = directory.toPath().getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(directory.toPath(), users.lookupPrincipalByName(user));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot give " + directory + " to user " + user
                    + " (the Debian package of the database creates that user)", e);
        }
    }

    /** Runs a setup command (initdb, say) to its end, within a minute; fails with its output otherwise. */
    static void runToEnd(List<String> command, File log) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Failed (exit " + process.exitValue() + "): " + command + "\n"
                        + Files.readString(log.toPath()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** {@code command} run as {@code user} when this JVM is root (setpriv execs, so killing it kills the server). */
    static List<String> asUser(String user, List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The first executable named {@code binary} on the PATH or in one of {@code directories}, or null. */
    static String findBinary(String binary, List<Path> directories) {
        String onPath = TestServers.findBinary(binary);
        if (onPath != null) {
            return onPath;
        }
        for (Path directory : directories) {
            File candidate = directory.resolve(binary).toFile();
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }
}
