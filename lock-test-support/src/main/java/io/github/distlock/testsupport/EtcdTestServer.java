package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real etcd for tests, from (in this order) the address in {@value #ADDRESS_ENV} (e.g.
 * {@code http://127.0.0.1:2379}), a Testcontainers container when Docker is available, or the {@code etcd} binary
 * on the PATH started on free loopback ports with its data under {@code target/test-servers}. Otherwise
 * {@link TestServers#unavailable}: skipped on a developer machine, a failure under CI.
 *
 * <p>Also the members of {@link #cluster a loopback cluster} (binary only), and helpers that ask the server itself
 * (through etcd's HTTP gateway) for its health and its leases.
 */
public final class EtcdTestServer implements AutoCloseable {

    public static final String ADDRESS_ENV = "DISTLOCK_TEST_ETCD";
    static final String IMAGE = "quay.io/coreos/etcd:v3.5.21";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern LEASE_ID = Pattern.compile("\"ID\"\\s*:");

    private static EtcdTestServer shared;

    private final String endpoint;
    private final ServerProcess process;
    private final AutoCloseable container;

    private EtcdTestServer(String endpoint, ServerProcess process, AutoCloseable container) {
        this.endpoint = endpoint;
        this.process = process;
        this.container = container;
    }

    /** One server for every test class of this JVM that does not stop or kill it; stopped when the JVM exits. */
    public static synchronized EtcdTestServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A server of the caller's own, which it closes. */
    public static EtcdTestServer start() {
        String address = System.getenv(ADDRESS_ENV);
        if (address != null && !address.isBlank()) {
            return new EtcdTestServer(address.trim(), null, null);
        }
        if (TestServers.dockerAvailable()) {
            return Container.start();
        }
        String binary = TestServers.findBinary("etcd");
        if (binary == null) {
            throw TestServers.unavailable("etcd", "no " + ADDRESS_ENV + ", no Docker, and no etcd binary on the "
                    + "PATH (Debian: apt-get install etcd-server)");
        }
        List<Member> members = cluster(binary, 1, TestServers.workDirectory("etcd"));
        Member member = members.get(0);
        member.process().start();
        awaitHealthy(member.endpoint(), member.process());
        return new EtcdTestServer(member.endpoint(), member.process(), null);
    }

    /** Client URL, e.g. {@code http://127.0.0.1:23790}. */
    public String endpoint() {
        return endpoint;
    }

    /** The local etcd process, for fault tests; null when the server is external or a container. */
    public ServerProcess process() {
        return process;
    }

    @Override
    public void close() {
        if (process != null) {
            process.kill();
        }
        if (container != null) {
            try {
                container.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot stop the etcd container", e);
            }
        }
    }

    /** Testcontainers, in a class of its own: loaded only with Docker, so that callers without it need no jar. */
    private static final class Container {

        static EtcdTestServer start() {
            org.testcontainers.containers.GenericContainer<?> container =
                    new org.testcontainers.containers.GenericContainer<>(IMAGE)
                            .withCommand("etcd", "--name", "distlock-test", "--listen-client-urls",
                                    "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379")
                            .withExposedPorts(2379)
                            .waitingFor(org.testcontainers.containers.wait.strategy.Wait.forHttp("/health")
                                    .forPort(2379).forStatusCode(200));
            container.start();
            return new EtcdTestServer("http://" + container.getHost() + ":" + container.getMappedPort(2379), null,
                    container);
        }
    }

    /** One member of a loopback cluster: its process and client URL. */
    public record Member(String name, String endpoint, ServerProcess process) {
    }

    /**
     * The members of a new {@code size}-member cluster of the etcd binary on loopback, not started yet: start them
     * all (a member serves once a quorum is up), then {@link #awaitHealthy} each.
     */
    public static List<Member> cluster(int size) {
        String binary = TestServers.findBinary("etcd");
        if (binary == null) {
            throw TestServers.unavailable("etcd", "a cluster test needs the etcd binary on the PATH (Debian: "
                    + "apt-get install etcd-server)");
        }
        return cluster(binary, size, TestServers.workDirectory("etcd-cluster"));
    }

    private static List<Member> cluster(String binary, int size, File directory) {
        List<String> names = new ArrayList<>();
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> peerPorts = new ArrayList<>();
        StringBuilder initialCluster = new StringBuilder();
        for (int i = 0; i < size; i++) {
            names.add("member" + i);
            clientPorts.add(TestServers.freePort());
            peerPorts.add(TestServers.freePort());
            initialCluster.append(i == 0 ? "" : ",").append(names.get(i)).append("=http://127.0.0.1:")
                    .append(peerPorts.get(i));
        }
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String client = "http://127.0.0.1:" + clientPorts.get(i);
            String peer = "http://127.0.0.1:" + peerPorts.get(i);
            List<String> command = List.of(binary, "--name", names.get(i),
                    "--data-dir", new File(directory, names.get(i) + ".data").getAbsolutePath(),
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster.toString(),
                    "--initial-cluster-token", "distlock-" + directory.getName(),
                    "--initial-cluster-state", "new",
                    "--logger", "zap", "--log-outputs", "stderr");
            members.add(new Member(names.get(i), client,
                    new ServerProcess("etcd-" + names.get(i), command, clientPorts.get(i), directory)));
        }
        return members;
    }

    /** Waits until etcd at {@code endpoint} reports itself healthy (it has a leader). */
    public static void awaitHealthy(String endpoint, ServerProcess process) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (isHealthy(endpoint)) {
                return;
            }
            TestServers.sleep(100);
        }
        throw new IllegalStateException("etcd at " + endpoint + " did not become healthy within " + READY_TIMEOUT
                + (process == null ? "" : "; its log says:\n" + process.tail()));
    }

    /** Whether etcd at {@code endpoint} answers its health check with "true". */
    public static boolean isHealthy(String endpoint) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The number of leases etcd at {@code endpoint} holds right now, as the server itself counts them. */
    public static int countLeases(String endpoint) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint + "/v3/lease/leases"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("etcd lease list answered " + response.statusCode() + ": "
                        + response.body());
            }
            int leasesAt = response.body().indexOf("\"leases\"");
            if (leasesAt < 0) {
                return 0; // etcd leaves out an empty list
            }
            Matcher ids = LEASE_ID.matcher(response.body().substring(leasesAt));
            int count = 0;
            while (ids.find()) {
                count++;
            }
            return count;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list the leases of etcd at " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
