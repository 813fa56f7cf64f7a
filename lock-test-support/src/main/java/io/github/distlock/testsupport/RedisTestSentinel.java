package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A Redis master watched by Sentinel, for tests. Either {@code DISTLOCK_TEST_REDIS_SENTINEL} ({@code host:port,...}
 * of running sentinels, monitoring the master named by {@code DISTLOCK_TEST_REDIS_SENTINEL_MASTER}, default
 * {@value #DEFAULT_MASTER_NAME}), or local processes on free loopback ports: a master {@code redis-server}, optional
 * replicas ({@code --replicaof}) and sentinels ({@code redis-server <conf> --sentinel}, quorum: a majority of them).
 * Otherwise {@link TestServers#unavailable}.
 *
 * <p>Failover tests need local processes: {@link #startLocalProcesses(int, int)}, then {@link #killMaster()}.
 */
public final class RedisTestSentinel implements AutoCloseable {

    public static final String SENTINELS_ENV = "DISTLOCK_TEST_REDIS_SENTINEL";
    public static final String MASTER_NAME_ENV = "DISTLOCK_TEST_REDIS_SENTINEL_MASTER";
    public static final String DEFAULT_MASTER_NAME = "distlock";
    /** How long Sentinel waits before it calls an unresponsive master down; short, so that failover tests are quick. */
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final String masterName;
    private final List<String> sentinels;
    private final ServerProcess master;
    private final List<ServerProcess> processes;
    /** For asking the servers and sentinels about their state; created on first use. */
    private RedisClient adminClient;

    private RedisTestSentinel(String masterName, List<String> sentinels, ServerProcess master,
            List<ServerProcess> processes) {
        this.masterName = masterName;
        this.sentinels = List.copyOf(sentinels);
        this.master = master;
        this.processes = List.copyOf(processes);
    }

    /** Sentinel from the environment, or one master and one sentinel as local processes. */
    public static RedisTestSentinel start() {
        String configured = System.getenv(SENTINELS_ENV);
        if (configured != null && !configured.isBlank()) {
            String name = System.getenv(MASTER_NAME_ENV);
            return new RedisTestSentinel(name == null || name.isBlank() ? DEFAULT_MASTER_NAME : name,
                    List.of(configured.split(",")), null, List.of());
        }
        return startLocalProcesses(0, 1);
    }

    /**
     * A master, {@code replicas} replicas in sync with it, and {@code sentinelCount} sentinels that know all of them
     * (and each other), as child processes on free loopback ports.
     */
    public static RedisTestSentinel startLocalProcesses(int replicas, int sentinelCount) {
        String binary = RedisTestServer.redisServerBinary();
        List<ServerProcess> processes = new ArrayList<>();
        RedisTestSentinel result = null;
        try {
            ServerProcess master = startRedis(binary, "redis-master", List.of(), processes);
            List<Integer> replicaPorts = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                replicaPorts.add(startRedis(binary, "redis-replica", List.of("--replicaof", "127.0.0.1",
                        Integer.toString(master.port())), processes).port());
            }
            List<String> sentinels = new ArrayList<>();
            int quorum = sentinelCount / 2 + 1;
            for (int i = 0; i < sentinelCount; i++) {
                sentinels.add("127.0.0.1:" + startSentinel(binary, master.port(), quorum, processes).port());
            }
            result = new RedisTestSentinel(DEFAULT_MASTER_NAME, sentinels, master, processes);
            for (int port : replicaPorts) {
                result.awaitServer(port, "replica in sync", info -> info.contains("master_link_status:up"));
            }
            for (String sentinel : sentinels) {
                result.awaitSentinel(sentinel, "knows the master, " + replicas + " replica(s) and "
                        + (sentinelCount - 1) + " other sentinel(s)", commands -> {
                            Map<String, String> state = commands.master(DEFAULT_MASTER_NAME);
                            return "master".equals(state.get("flags"))
                                    && Integer.parseInt(state.get("num-slaves")) == replicas
                                    && Integer.parseInt(state.get("num-other-sentinels")) == sentinelCount - 1;
                        });
            }
            return result;
        } catch (RuntimeException e) {
            if (result != null) {
                result.close();
            } else {
                processes.forEach(ServerProcess::close);
            }
            throw e;
        }
    }

    public String masterName() {
        return masterName;
    }

    /** The sentinels as {@code host:port}. */
    public List<String> sentinels() {
        return sentinels;
    }

    /** What Spring Boot builds from {@code spring.data.redis.sentinel.master} and {@code .nodes}. */
    public RedisSentinelConfiguration configuration() {
        RedisSentinelConfiguration configuration = new RedisSentinelConfiguration().master(masterName);
        for (String sentinel : sentinels) {
            int colon = sentinel.lastIndexOf(':');
            configuration.sentinel(sentinel.substring(0, colon), Integer.parseInt(sentinel.substring(colon + 1)));
        }
        return configuration;
    }

    /** A started Lettuce connection factory that finds the master through the sentinels. */
    public LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration(),
                LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** The master's address as the first sentinel reports it now. */
    public InetSocketAddress currentMaster() {
        return withSentinel(sentinels.get(0), commands -> toInet(commands.getMasterAddrByName(masterName)));
    }

    /** Kills the master started by {@link #startLocalProcesses} with SIGKILL, as a crash would. */
    public void killMaster() {
        if (master == null) {
            throw new IllegalStateException("This Sentinel set-up is not made of child processes of the test");
        }
        master.kill();
    }

    /** The port of the master started by {@link #startLocalProcesses}. */
    public int initialMasterPort() {
        if (master == null) {
            throw new IllegalStateException("This Sentinel set-up is not made of child processes of the test");
        }
        return master.port();
    }

    /**
     * Waits (at most {@code timeout}) until every sentinel names a master other than {@code old}, and that server
     * says it is a master; returns its address.
     */
    public InetSocketAddress awaitFailover(InetSocketAddress old, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetSocketAddress promoted = null;
        while (System.nanoTime() < deadline) {
            promoted = currentMaster();
            boolean allAgree = true;
            for (String sentinel : sentinels) {
                InetSocketAddress seen = withSentinel(sentinel, commands -> toInet(commands
                        .getMasterAddrByName(masterName)));
                allAgree &= !seen.equals(old) && seen.equals(promoted);
            }
            if (allAgree && info(promoted.getPort()).contains("role:master")) {
                return promoted;
            }
            TestServers.sleep(100);
        }
        throw new IllegalStateException("No failover away from " + old + " within " + timeout + "; sentinels say "
                + promoted + "; first sentinel's log:\n" + sentinelLogs());
    }

    /**
     * The owner of lock key {@code key} (field {@code o} of the Redis store's lock hash) on the server at
     * {@code address}, read directly (not through Sentinel); null when nobody holds it.
     */
    public String lockOwner(InetSocketAddress address, String key) {
        try (StatefulRedisConnection<String, String> connection = admin().connect(
                adminUri(address.getHostString(), address.getPort()))) {
            return connection.sync().hget(key, "o");
        }
    }

    @Override
    public synchronized void close() {
        if (adminClient != null) {
            adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            adminClient = null;
        }
        processes.forEach(ServerProcess::close);
    }

    private static ServerProcess startRedis(String binary, String role, List<String> extra,
            List<ServerProcess> processes) {
        int port = TestServers.freePort();
        File dir = TestServers.workDirectory(role + "-" + port);
        ServerProcess process = new ServerProcess(role + "-" + port,
                RedisTestServer.serverCommand(binary, port, dir, extra), port, dir);
        processes.add(process);
        return process.start();
    }

    private static ServerProcess startSentinel(String binary, int masterPort, int quorum,
            List<ServerProcess> processes) {
        int port = TestServers.freePort();
        File dir = TestServers.workDirectory("redis-sentinel-" + port);
        // Sentinel rewrites its configuration file (known replicas and sentinels, epochs): it must be writable.
        File config = new File(dir, "sentinel.conf");
        String text = String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + dir.getAbsolutePath(),
                "sentinel monitor " + DEFAULT_MASTER_NAME + " 127.0.0.1 " + masterPort + " " + quorum,
                "sentinel down-after-milliseconds " + DEFAULT_MASTER_NAME + " " + DOWN_AFTER.toMillis(),
                "sentinel failover-timeout " + DEFAULT_MASTER_NAME + " 5000",
                "");
        try {
            Files.writeString(config.toPath(), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write " + config, e);
        }
        ServerProcess process = new ServerProcess("redis-sentinel-" + port,
                List.of(binary, config.getAbsolutePath(), "--sentinel"), port, dir);
        processes.add(process);
        return process.start();
    }

    private void awaitServer(int port, String what, Predicate<String> ready) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            info = info(port);
            if (ready.test(info)) {
                return;
            }
            TestServers.sleep(100);
        }
        throw new IllegalStateException("Redis on port " + port + " not " + what + " within " + READY_TIMEOUT
                + ":\n" + info);
    }

    private void awaitSentinel(String sentinel, String what, Predicate<RedisSentinelCommands<String, String>> ready) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (withSentinel(sentinel, ready::test)) {
                return;
            }
            TestServers.sleep(100);
        }
        throw new IllegalStateException("Sentinel " + sentinel + " not ready (" + what + ") within " + READY_TIMEOUT
                + ": " + withSentinel(sentinel, commands -> commands.master(masterName)));
    }

    private String info(int port) {
        try (StatefulRedisConnection<String, String> connection = admin().connect(adminUri("127.0.0.1", port))) {
            return connection.sync().info("replication");
        } catch (RuntimeException e) {
            return "(unreachable: " + e + ")";
        }
    }

    private <T> T withSentinel(String sentinel, Function<RedisSentinelCommands<String, String>, T> action) {
        int colon = sentinel.lastIndexOf(':');
        RedisURI uri = adminUri(sentinel.substring(0, colon), Integer.parseInt(sentinel.substring(colon + 1)));
        try (StatefulRedisSentinelConnection<String, String> connection = admin().connectSentinel(uri)) {
            return action.apply(connection.sync());
        }
    }

    /** The admin connections' address; their timeout is set here, as Lettuce 7 (Boot 4.1) has no client default. */
    private static RedisURI adminUri(String host, int port) {
        RedisURI uri = RedisURI.create(host, port);
        uri.setTimeout(Duration.ofSeconds(5));
        return uri;
    }

    private synchronized RedisClient admin() {
        if (adminClient == null) {
            adminClient = RedisClient.create();
        }
        return adminClient;
    }

    private String sentinelLogs() {
        return processes.stream().filter(p -> p.log().getName().startsWith("redis-sentinel")).findFirst()
                .map(ServerProcess::tail).orElse("(none)");
    }

    private static InetSocketAddress toInet(SocketAddress address) {
        return (InetSocketAddress) address;
    }
}
