package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A Redis Cluster of three masters (no replicas) on loopback, for tests: either {@code DISTLOCK_TEST_REDIS_CLUSTER}
 * ({@code host:port,host:port,...}, an existing cluster), or three {@code redis-server --cluster-enabled yes}
 * processes joined with {@code redis-cli --cluster create}. Otherwise {@link TestServers#unavailable}.
 */
public final class RedisTestCluster implements AutoCloseable {

    public static final String NODES_ENV = "DISTLOCK_TEST_REDIS_CLUSTER";
    private static final int MASTERS = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> nodes;
    private final List<ServerProcess> processes;

    private RedisTestCluster(List<String> nodes, List<ServerProcess> processes) {
        this.nodes = List.copyOf(nodes);
        this.processes = List.copyOf(processes);
    }

    public static RedisTestCluster start() {
        String configured = System.getenv(NODES_ENV);
        if (configured != null && !configured.isBlank()) {
            return new RedisTestCluster(List.of(configured.split(",")), List.of());
        }
        String server = RedisTestServer.redisServerBinary();
        String cli = TestServers.findBinary("redis-cli");
        if (cli == null) {
            throw TestServers.unavailable("Redis Cluster", "redis-cli is not installed (Debian package redis-tools)");
        }
        List<ServerProcess> processes = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                int port = TestServers.freePort();
                File dir = TestServers.workDirectory("redis-cluster-" + port);
                processes.add(new ServerProcess("redis-cluster-" + port, RedisTestServer.serverCommand(server, port,
                        dir, List.of("--cluster-enabled", "yes", "--cluster-config-file",
                                new File(dir, "nodes.conf").getAbsolutePath(), "--cluster-node-timeout", "5000")),
                        port, dir).start());
                nodes.add("127.0.0.1:" + port);
            }
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            create.addAll(nodes);
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            for (String node : nodes) {
                awaitClusterOk(cli, node);
            }
            return new RedisTestCluster(nodes, processes);
        } catch (RuntimeException e) {
            processes.forEach(ServerProcess::close);
            throw e;
        }
    }

    /** The nodes as {@code host:port}. */
    public List<String> nodes() {
        return nodes;
    }

    /** A started Lettuce cluster connection factory for this cluster. */
    public LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(nodes),
                LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Override
    public void close() {
        processes.forEach(ServerProcess::close);
    }

    private static void awaitClusterOk(String cli, String node) {
        String host = node.substring(0, node.lastIndexOf(':'));
        String port = node.substring(node.lastIndexOf(':') + 1);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            info = run(List.of(cli, "-h", host, "-p", port, "cluster", "info"));
            if (info.contains("cluster_state:ok")) {
                return;
            }
            TestServers.sleep(100);
        }
        throw new IllegalStateException("Redis Cluster node " + node + " not ready within " + READY_TIMEOUT + ":\n"
                + info);
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // redis-cli prints little and exits; read to the end first so that it never blocks on a full pipe.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Failed (exit " + process.exitValue() + "): " + command + "\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + command, e);
        }
    }
}
