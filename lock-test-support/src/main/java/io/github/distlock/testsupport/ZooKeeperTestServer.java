package io.github.distlock.testsupport;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * A real ZooKeeper server for tests: the address in {@code DISTLOCK_TEST_ZOOKEEPER} ({@code host:port}) when set,
 * otherwise Curator's {@link TestingServer} (the real server code, in this JVM) on a free loopback port. Ticks are
 * short (100 ms) so that tests may use session timeouts of a second or two. {@link #cluster(int)} starts a
 * {@link TestingCluster} for ensemble tests.
 */
public final class ZooKeeperTestServer implements AutoCloseable {

    public static final String ADDRESS_VARIABLE = "DISTLOCK_TEST_ZOOKEEPER";
    /** Server tick; the shortest session timeout the server grants is two ticks. */
    public static final int TICK_MILLIS = 100;

    private final String connectString;
    private final TestingServer server;

    private ZooKeeperTestServer(String connectString, TestingServer server) {
        this.connectString = connectString;
        this.server = server;
    }

    /** The explicit server if configured, else a new in-process server. */
    public static ZooKeeperTestServer start() {
        return start(Map.of());
    }

    /**
     * Like {@link #start()}, the in-process server granting sessions up to {@code maxSessionTimeout} (an explicit
     * server keeps its own limit; ZooKeeper's default is 20 ticks).
     */
    public static ZooKeeperTestServer start(Duration maxSessionTimeout) {
        return start(Map.of("maxSessionTimeout", String.valueOf(maxSessionTimeout.toMillis())));
    }

    private static ZooKeeperTestServer start(Map<String, Object> serverProperties) {
        String address = System.getenv(ADDRESS_VARIABLE);
        if (address != null && !address.isBlank()) {
            return new ZooKeeperTestServer(address.trim(), null);
        }
        try {
            File dir = TestServers.workDirectory("zookeeper");
            InstanceSpec spec = new InstanceSpec(dir, TestServers.freePort(), -1, -1, true, -1, TICK_MILLIS, -1,
                    serverProperties, "127.0.0.1");
            return new ZooKeeperTestServer(null, new TestingServer(spec, true));
        } catch (Exception e) {
            throw TestServers.unavailable("ZooKeeper", "the in-process TestingServer did not start: " + e);
        }
    }

    /** A started ensemble of {@code size} in-process servers, with four-letter words on (to find the leader). */
    public static TestingCluster cluster(int size) throws Exception {
        System.setProperty("zookeeper.4lw.commands.whitelist", "*");
        List<InstanceSpec> specs = new ArrayList<>();
        Set<Integer> ports = new HashSet<>();
        for (int i = 1; i <= size; i++) {
            File dir = TestServers.workDirectory("zookeeper-ensemble-" + i);
            specs.add(new InstanceSpec(dir, distinctFreePort(ports), distinctFreePort(ports), distinctFreePort(ports),
                    true, i, TICK_MILLIS, -1, Map.of(), "127.0.0.1"));
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return cluster;
    }

    /**
     * A free port not in {@code taken}, then added to it: free ports are asked one at a time and nothing reserves
     * them, so two asks may return the same port (one server's client port was seen to be another's quorum port).
     */
    private static int distinctFreePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = TestServers.freePort();
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No distinct free loopback port in 100 attempts; taken: " + taken);
    }

    /** The current leader of {@code cluster}, asked with the {@code srvr} four-letter word; null if none. */
    public static InstanceSpec leader(TestingCluster cluster) {
        for (InstanceSpec spec : cluster.getInstances()) {
            try {
                String answer = FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr", false, 1000);
                if (answer.contains("Mode: leader")) {
                    return spec;
                }
            } catch (Exception e) {
                // down or electing
            }
        }
        return null;
    }

    public String connectString() {
        return server != null ? server.getConnectString() : connectString;
    }

    /** A started client with {@code sessionTimeout}, retrying every 100 ms. */
    public static CuratorFramework client(String connectString, Duration sessionTimeout) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs(2000)
                .retryPolicy(new ExponentialBackoffRetry(100, 20, 500))
                .build();
        client.start();
        return client;
    }

    public CuratorFramework client(Duration sessionTimeout) {
        return client(connectString(), sessionTimeout);
    }

    /**
     * The in-process server, for tests that stop and restart it. An external server cannot be stopped: the test is
     * then skipped, or fails under {@code CI=true} like any missing server.
     */
    public TestingServer controllable() {
        if (server == null) {
            throw TestServers.unavailable("A ZooKeeper server this test can stop", "the server at " + connectString
                    + " is external; unset " + ADDRESS_VARIABLE + " to run it in-process");
        }
        return server;
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.close();
        }
    }
}
