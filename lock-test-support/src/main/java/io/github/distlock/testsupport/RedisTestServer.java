package io.github.distlock.testsupport;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.testcontainers.containers.GenericContainer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A standalone Redis for tests. From, in this order: {@code DISTLOCK_TEST_REDIS=host:port}; a container when Docker
 * is available; the {@code redis-server} binary on a free loopback port (no persistence). Otherwise
 * {@link TestServers#unavailable}.
 *
 * <p>Fault tests need a server they can stop and restart: {@link #startLocalProcess()} gives one (binary only).
 */
public final class RedisTestServer implements AutoCloseable {

    public static final String ADDRESS_ENV = "DISTLOCK_TEST_REDIS";
    private static final String IMAGE = "redis:7.2-alpine";

    private final String host;
    private final int port;
    private final ServerProcess process;
    private final GenericContainer<?> container;

    private RedisTestServer(String host, int port, ServerProcess process, GenericContainer<?> container) {
        this.host = host;
        this.port = port;
        this.process = process;
        this.container = container;
    }

    /** A Redis from wherever one is available (see the class comment). */
    public static RedisTestServer start() {
        String address = System.getenv(ADDRESS_ENV);
        if (address != null && !address.isBlank()) {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalStateException(ADDRESS_ENV + " must be host:port, not '" + address + "'");
            }
            return new RedisTestServer(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)),
                    null, null);
        }
        if (TestServers.dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>(IMAGE).withExposedPorts(6379);
            container.start();
            return new RedisTestServer(container.getHost(), container.getMappedPort(6379), null, container);
        }
        return startLocalProcess();
    }

    /** A {@code redis-server} child process on a free loopback port, which tests can stop, kill and restart. */
    public static RedisTestServer startLocalProcess() {
        return startLocalProcess(List.of());
    }

    /** As {@link #startLocalProcess()}, with more {@code redis-server} arguments (such as ACL users). */
    public static RedisTestServer startLocalProcess(List<String> extraArguments) {
        String binary = redisServerBinary();
        int port = TestServers.freePort();
        File dir = TestServers.workDirectory("redis-" + port);
        ServerProcess process = new ServerProcess("redis-" + port, serverCommand(binary, port, dir, extraArguments),
                port, dir).start();
        return new RedisTestServer("127.0.0.1", port, process, null);
    }

    /** The path of {@code redis-server}, or {@link TestServers#unavailable} when it is not installed. */
    static String redisServerBinary() {
        String binary = TestServers.findBinary("redis-server");
        if (binary == null) {
            throw TestServers.unavailable("redis-server", "this test runs its own redis-server processes; install "
                    + "the Debian package redis-server (tests that need just some Redis also take " + ADDRESS_ENV
                    + "=host:port or Docker)");
        }
        return binary;
    }

    /** A {@code redis-server} command line on {@code 127.0.0.1:port}, without persistence. */
    static List<String> serverCommand(String binary, int port, File dir, List<String> extra) {
        List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.getAbsolutePath()));
        command.addAll(extra);
        return command;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Whether this server is a child process that {@link #stop()} and {@link #restart()} control. */
    public boolean isLocalProcess() {
        return process != null;
    }

    /** Stops the server (SIGTERM); only for {@link #startLocalProcess()}. */
    public void stop() {
        requireProcess().stop();
    }

    /** Starts the stopped server again on the same port, empty. */
    public void restart() {
        requireProcess().start();
    }

    /** A started Lettuce connection factory for this server with the given command timeout. */
    public LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
        return connectionFactory(commandTimeout, null, null);
    }

    /** As {@link #connectionFactory(Duration)}, authenticating as an ACL user ({@code AUTH username password}). */
    public LettuceConnectionFactory connectionFactory(Duration commandTimeout, String username, String password) {
        RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(host, port);
        configuration.setUsername(username);
        configuration.setPassword(password);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
                LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        if (container != null) {
            container.stop();
        }
    }

    private ServerProcess requireProcess() {
        if (process == null) {
            throw new IllegalStateException("This Redis is not a child process of the test; use startLocalProcess()");
        }
        return process;
    }
}
