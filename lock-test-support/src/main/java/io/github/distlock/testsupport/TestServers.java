package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;

/**
 * Shared rules for the real servers tests run against.
 *
 * <p>Where a server comes from, in this order: an explicit address in an environment variable (each server names
 * its own); a container through Testcontainers when Docker is available; the server binary on the PATH, started on
 * a free loopback port. When none of these works the test is skipped on a developer machine, and fails under
 * {@code CI=true}: CI installs every server, so a missing one is a broken build, never a silent skip.
 */
public final class TestServers {

    private static Boolean dockerAvailable;

    private TestServers() {
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test, or fails it under {@code CI=true}. */
    public static RuntimeException unavailable(String server, String reason) {
        String message = server + " is not available for this test: " + reason;
        if (isCi()) {
            throw new IllegalStateException(message + " (CI=true: a missing server is a failure)");
        }
        Assumptions.abort(message);
        return new IllegalStateException(message); // not reached
    }

    /** Whether Testcontainers can reach a Docker engine; asked once per JVM. */
    public static synchronized boolean dockerAvailable() {
        if (dockerAvailable == null) {
            boolean available;
            try {
                available = new File("/var/run/docker.sock").exists()
                        && org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable e) {
                available = false;
            }
            dockerAvailable = available;
        }
        return dockerAvailable;
    }

    /** The absolute path of {@code binary} on the PATH, or {@code null}. */
    public static String findBinary(String binary) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, binary);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    /** A TCP port on 127.0.0.1 that is free right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free loopback port", e);
        }
    }

    /** Waits until something accepts connections on {@code 127.0.0.1:port}; false when {@code timeout} passes first. */
    public static boolean awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException e) {
                sleep(50);
            }
        }
        return false;
    }

    /** Waits until nothing accepts connections on {@code 127.0.0.1:port} any more. */
    public static boolean awaitPortClosed(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                sleep(50);
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    /** A fresh directory under {@code target/test-servers} for one server's data and log. */
    public static File workDirectory(String name) {
        File dir = new File("target/test-servers/" + name + "-" + System.nanoTime());
        if (!dir.mkdirs()) {
            throw new IllegalStateException("Cannot create " + dir.getAbsolutePath());
        }
        return dir.getAbsoluteFile();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
