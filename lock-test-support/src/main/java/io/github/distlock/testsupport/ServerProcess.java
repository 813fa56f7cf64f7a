package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server binary run as a child process on a loopback port, with its output in a log file. It can be stopped,
 * killed with SIGKILL and started again on the same port, for fault tests. A JVM shutdown hook kills it if a test
 * forgets to.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final List<String> command;
    private final int port;
    private final File log;
    private Process process;

    /**
     * @param port the port the server listens on, to know when it is up
     */
    public ServerProcess(String name, List<String> command, int port, File workDirectory) {
        this.name = name;
        this.command = List.copyOf(command);
        this.port = port;
        this.log = new File(workDirectory, name + ".log");
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "stop-" + name));
    }

    public int port() {
        return port;
    }

    public File log() {
        return log;
    }

    /** Starts the process and waits until its port accepts connections. */
    public synchronized ServerProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + name + ": " + command, e);
        }
        if (!TestServers.awaitPort(port, START_TIMEOUT)) {
            kill();
            throw new IllegalStateException(name + " did not open port " + port + " within " + START_TIMEOUT
                    + "; its log says:\n" + tail());
        }
        return this;
    }

    /** Stops the process gracefully (SIGTERM) and waits for it. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            waitFor();
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
    }

    /** The end of the server's log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log.toPath());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TestServers.awaitPortClosed(port, Duration.ofSeconds(10));
    }
}
