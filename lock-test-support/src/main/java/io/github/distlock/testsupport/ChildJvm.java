package io.github.distlock.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;

/**
 * Runs lock stores in child JVMs, for the tests that need a second process: a holder killed with SIGKILL, mutual
 * exclusion between processes, and a contender that keeps trying a key held here. The child runs on the test classpath and builds its store with a
 * {@link StoreFactory} named by class, from one string argument (an address, say).
 *
 * <p>Exclusion is checked with counters in files: a holder reads a key's counter, pauses, and writes it back plus
 * one. Holders that overlapped would lose increments, so the sum of the counters equals the number of grants only if
 * no two processes ever held a key at once.
 */
public final class ChildJvm {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** Builds the store in the child. Implementations need a public no-argument constructor. */
    public interface StoreFactory {
        LockStore create(String argument) throws Exception;
    }

    private ChildJvm() {
    }

    /**
     * Starts a child that takes {@code key} for {@code expireSeconds} and then idles until killed (10 minutes at
     * most). Returns once the child holds the lock.
     */
    public static Process holdLock(Class<? extends StoreFactory> factory, String argument, String key,
            int expireSeconds) throws Exception {
        File dir = TestServers.workDirectory("holder");
        File output = new File(dir, "holder.log");
        Process child = start(output, "hold", factory.getName(), argument, key, Integer.toString(expireSeconds));
        awaitOutput(child, output, "LOCKED", "NOT_LOCKED", "take " + key);
        return child;
    }

    /**
     * Waits until the child prints {@code ready}; kills it and fails when it prints {@code failed} (checked first,
     * may be null), dies, or takes longer than {@link #READY_TIMEOUT}.
     */
    private static void awaitOutput(Process child, File output, String ready, String failed, String what)
            throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && child.isAlive()) {
            String text = Files.readString(output.toPath());
            if (failed != null && text.contains(failed)) {
                child.destroyForcibly();
                throw new AssertionError("The child could not " + what + ":\n" + text);
            }
            if (text.contains(ready)) {
                return;
            }
            Thread.sleep(20);
        }
        child.destroyForcibly();
        throw new AssertionError("The child did not " + what + " in time:\n" + Files.readString(output.toPath()));
    }

    /** Kills {@code child} with SIGKILL, as a crash would, and waits until it is gone. */
    public static void kill9(Process child) throws InterruptedException {
        child.destroyForcibly();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("The child did not die");
        }
    }

    /** Outcome of {@link #runExclusion}. */
    public record ExclusionResult(long grants, long counted, long failedUnlocks, String output) {
    }

    /**
     * Runs {@code processes} child JVMs of {@code threads} threads each, locking the same {@code keys} for at most
     * {@code iterations} tries per thread or {@code maxTime}, whichever comes first.
     */
    public static ExclusionResult runExclusion(Class<? extends StoreFactory> factory, String argument, int processes,
            int threads, int iterations, Duration maxTime, int keys) throws Exception {
        File dir = TestServers.workDirectory("exclusion");
        String prefix = "exclusion-" + UUID.randomUUID() + "-";
        List<Process> children = new ArrayList<>();
        List<File> outputs = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            File output = new File(dir, "child-" + p + ".log");
            outputs.add(output);
            children.add(start(output, "exclude", factory.getName(), argument, dir.getPath(), prefix,
                    Integer.toString(threads), Integer.toString(iterations), Long.toString(maxTime.toMillis()),
                    Integer.toString(keys)));
        }
        // All children wait for this file, so that they contend from the first try.
        Files.writeString(dir.toPath().resolve("go"), "go");
        long grants = 0;
        long failedUnlocks = 0;
        StringBuilder all = new StringBuilder();
        for (int p = 0; p < processes; p++) {
            Process child = children.get(p);
            if (!child.waitFor(maxTime.toSeconds() + 120, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("Child " + p + " did not finish");
            }
            String text = Files.readString(outputs.get(p).toPath());
            all.append("--- child ").append(p).append(" (exit ").append(child.exitValue()).append(")\n").append(text);
            if (child.exitValue() != 0) {
                throw new AssertionError("Child " + p + " failed:\n" + text);
            }
            grants += valueAfter(text, "GRANTS ");
            failedUnlocks += valueAfter(text, "FAILED_UNLOCKS ");
        }
        long counted = 0;
        for (int k = 0; k < keys; k++) {
            counted += readCounter(dir.toPath().resolve("counter-" + k));
        }
        return new ExclusionResult(grants, counted, failedUnlocks, all.toString());
    }

    /** Outcome of a {@link Contender}: TryLocks tried, granted (each released at once), failed with an error. */
    public record ContentionResult(long attempts, long grants, long errors, String output) {
    }

    /**
     * A child JVM that tries to take one key again and again, between {@link #go()} and {@link #stop()}: a contender
     * from another process, for tests that a lock stays held.
     */
    public static final class Contender {

        private final Process child;
        private final File dir;
        private final File output;

        private Contender(Process child, File dir, File output) {
            this.child = child;
            this.dir = dir;
            this.output = output;
        }

        /** Starts trying now. */
        public void go() throws IOException {
            Files.writeString(dir.toPath().resolve("go"), "go");
        }

        /** Stops trying and returns what the child saw. */
        public ContentionResult stop() throws Exception {
            Files.writeString(dir.toPath().resolve("stop"), "stop");
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("The contender did not stop:\n" + Files.readString(output.toPath()));
            }
            String text = Files.readString(output.toPath());
            if (child.exitValue() != 0) {
                throw new AssertionError("The contender failed:\n" + text);
            }
            return new ContentionResult(valueAfter(text, "ATTEMPTS "), valueAfter(text, "GRANTS "),
                    valueAfter(text, "ERRORS "), text);
        }
    }

    /**
     * Starts a child that, from {@link Contender#go()} until {@link Contender#stop()} (10 minutes at most), tries
     * TryLock on {@code key} (lease 1 s) every {@code interval}, releasing at once what it gets. Returns once the
     * child's store is built.
     */
    public static Contender contend(Class<? extends StoreFactory> factory, String argument, String key,
            Duration interval) throws Exception {
        File dir = TestServers.workDirectory("contender");
        File output = new File(dir, "contender.log");
        Process child = start(output, "contend", factory.getName(), argument, dir.getPath(), key,
                Long.toString(interval.toMillis()));
        awaitOutput(child, output, "READY", null, "start contending for " + key);
        return new Contender(child, dir, output);
    }

    private static void contend(LockStore store, Path dir, String key, long intervalMillis) throws Exception {
        System.out.println("READY");
        System.out.flush();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!Files.exists(dir.resolve("go")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long attempts = 0;
        long grants = 0;
        long errors = 0;
        while (!Files.exists(dir.resolve("stop")) && System.nanoTime() < deadline) {
            String owner = "contender-" + UUID.randomUUID();
            attempts++;
            try {
                if (store.tryLock(key, owner, 1)) {
                    grants++;
                    System.out.println("GRANTED at attempt " + attempts);
                    store.unlock(key, owner);
                }
            } catch (RuntimeException e) {
                errors++;
                e.printStackTrace(System.out);
            }
            Thread.sleep(intervalMillis);
        }
        System.out.println("ATTEMPTS " + attempts);
        System.out.println("GRANTS " + grants);
        System.out.println("ERRORS " + errors);
        System.out.flush();
    }

    private static Process start(File output, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildJvm.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(output)).start();
    }

    private static long valueAfter(String text, String label) {
        for (String line : text.split("\n")) {
            if (line.startsWith(label)) {
                return Long.parseLong(line.substring(label.length()).trim());
            }
        }
        throw new AssertionError("No '" + label + "' in the child's output:\n" + text);
    }

    private static long readCounter(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (RandomAccessFile counter = new RandomAccessFile(file.toFile(), "r")) {
            return counter.length() < Long.BYTES ? 0 : counter.readLong();
        }
    }

    /** The child's entry point. */
    public static void main(String[] args) throws Exception {
        StoreFactory factory = (StoreFactory) Class.forName(args[1]).getDeclaredConstructor().newInstance();
        LockStore store = factory.create(args[2]);
        if (args[0].equals("contend")) {
            contend(store, Path.of(args[3]), args[4], Long.parseLong(args[5]));
            if (store instanceof AutoCloseable closeable) {
                closeable.close();
            }
            System.exit(0);
        }
        if (args[0].equals("hold")) {
            boolean locked = store.tryLock(args[3], "holder-" + UUID.randomUUID(), Integer.parseInt(args[4]));
            System.out.println(locked ? "LOCKED" : "NOT_LOCKED");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
            System.exit(0);
        }
        boolean clean = exclude(store, Path.of(args[3]), args[4], Integer.parseInt(args[5]),
                Integer.parseInt(args[6]), Long.parseLong(args[7]), Integer.parseInt(args[8]));
        System.exit(clean ? 0 : 3);
    }

    /** Runs the workers; false when one of them died of an exception (a store error, say), which fails the test. */
    private static boolean exclude(LockStore store, Path dir, String prefix, int threads, int iterations,
            long maxMillis, int keys) throws Exception {
        long goDeadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!Files.exists(dir.resolve("go")) && System.nanoTime() < goDeadline) {
            Thread.sleep(5);
        }
        AtomicLong grants = new AtomicLong();
        AtomicLong failedUnlocks = new AtomicLong();
        AtomicLong workerErrors = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < iterations && System.nanoTime() < deadline; i++) {
                    int k = ThreadLocalRandom.current().nextInt(keys);
                    String owner = UUID.randomUUID().toString();
                    if (!store.tryLock(prefix + k, owner, 30)) {
                        continue;
                    }
                    grants.incrementAndGet();
                    try {
                        incrementSlowly(dir.resolve("counter-" + k));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        if (store.unlock(prefix + k, owner) != LockStatus.SUCCESS) {
                            failedUnlocks.incrementAndGet();
                        }
                    }
                }
            });
            worker.setUncaughtExceptionHandler((thread, error) -> {
                workerErrors.incrementAndGet();
                error.printStackTrace(System.out);
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join(maxMillis + 60_000);
        }
        System.out.println("GRANTS " + grants.get());
        System.out.println("FAILED_UNLOCKS " + failedUnlocks.get());
        System.out.println("WORKER_ERRORS " + workerErrors.get());
        System.out.flush();
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
        return workerErrors.get() == 0;
    }

    /** Read, pause, write: an unprotected read-modify-write that loses counts whenever two holders overlap. */
    private static void incrementSlowly(Path file) throws IOException, InterruptedException {
        try (RandomAccessFile counter = new RandomAccessFile(file.toFile(), "rw")) {
            long value = counter.length() < Long.BYTES ? 0 : counter.readLong();
            Thread.sleep(1);
            counter.seek(0);
            counter.writeLong(value + 1);
        }
    }
}
