package io.github.distlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.etcd.EtcdLockStore;
import io.github.distlock.store.etcd.EtcdLockStoreFactory;
import io.github.distlock.store.etcd.EtcdLockStoreProperties;
import io.github.distlock.store.redis.RedisLockStore;
import io.github.distlock.store.zookeeper.ZooKeeperLockStore;
import io.github.distlock.testsupport.EtcdTestServer;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

/**
 * One contended key, side by side in one run: N threads of one JVM take the same lock again and again, each section
 * only increments a counter, with or without a pause between a thread's sections. This project's
 * {@code LockTemplate.acquire} with a wait time, against Redisson {@code RLock.tryLock(wait, lease)}, Spring
 * Integration {@code RedisLockRegistry} (spin and pub/sub), Curator {@code InterProcessMutex} (one per thread) and
 * jetcd {@code Lock} (one lease per thread). Reports sections/s, wait p50/p99 (from the start of an attempt to entering
 * the section), fairness (fewest / most sections of one thread) and, on Redis, server commands per section
 * ({@code INFO commandstats} before and after). Not JMH: waits and fairness need every sample.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.distlock.benchmarks.ContendedLockBenchmark \
 *     [stores=redis,zookeeper,etcd] [seconds=5] [threads=8,32] [pausesMillis=0,2]</pre>
 *
 * Servers: a {@code redis-server} and an {@code etcd} child process and an in-process ZooKeeper, on loopback.
 */
public final class ContendedLockBenchmark {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LEASE_SECONDS = 30;

    /** One thread's way to take and release the lock. */
    interface Contender {
        void lock() throws Exception;

        void unlock() throws Exception;
    }

    /** A library under test: a contender per thread, on one key per run. */
    interface Library {
        Contender contender(String key) throws Exception;
    }

    /** Rows of the targets table, printed after all stores ran. */
    private static final List<String> TARGETS = new ArrayList<>();

    record Result(double sectionsPerSecond, double p50Millis, double p99Millis, long fewest, long most,
            double commandsPerSection) {
    }

    private ContendedLockBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchmarkSetup.quietLogging();
        List<String> stores = List.of((args.length > 0 ? args[0] : "redis,zookeeper,etcd").split(","));
        Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
        int[] threads = Arrays.stream((args.length > 2 ? args[2] : "8,32").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int[] pauses = Arrays.stream((args.length > 3 ? args[3] : "0,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        System.out.println("| store | threads | pause | library | sections/s | wait p50 ms | wait p99 ms | fairness "
                + "(fewest / most) | commands/section | sections/s vs distlock |");
        System.out.println("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (String store : stores) {
            switch (store) {
                case "redis" -> redis(duration, threads, pauses);
                case "zookeeper" -> zooKeeper(duration, threads, pauses);
                case "etcd" -> etcd(duration, threads, pauses);
                default -> throw new IllegalArgumentException("Unknown store '" + store + "': redis, zookeeper, etcd");
            }
        }
        System.out.println();
        System.out.println("| store | threads | pause | best other library | distlock sections/s vs it | wait p99 ms: "
                + "distlock / lowest other | distlock fairness | distlock commands/section | targets met |");
        System.out.println("|---|---:|---:|---|---:|---:|---:|---:|---|");
        TARGETS.forEach(System.out::println);
        System.exit(0);
    }


    private static void redis(Duration duration, int[] threads, int[] pauses) throws Exception {
        try (RedisTestServer server = RedisTestServer.startLocalProcess()) {
            LettuceConnectionFactory ours = server.connectionFactory(Duration.ofSeconds(10));
            LettuceConnectionFactory stats = server.connectionFactory(Duration.ofSeconds(10));
            LettuceConnectionFactory integration = server.connectionFactory(Duration.ofSeconds(10));
            Config config = new Config();
            config.useSingleServer().setAddress("redis://" + server.host() + ":" + server.port());
            RedissonClient redisson = Redisson.create(config);
            RedisLockRegistry spin = new RedisLockRegistry(integration, "bench-spin",
                    TimeUnit.SECONDS.toMillis(LEASE_SECONDS));
            RedisLockRegistry pubSub = new RedisLockRegistry(integration, "bench-pubsub",
                    TimeUnit.SECONDS.toMillis(LEASE_SECONDS));
            pubSub.setRedisLockType(RedisLockRegistry.RedisLockType.PUB_SUB_LOCK);
            Map<String, Library> libraries = new LinkedHashMap<>();
            libraries.put("distlock", distlock(new RedisLockStore(ours)));
            libraries.put("Redisson RLock", key -> {
                RLock lock = redisson.getLock(key);
                return contender(() -> lock.tryLock(WAIT.toMillis(), LEASE_SECONDS * 1000L, TimeUnit.MILLISECONDS),
                        lock::unlock);
            });
            libraries.put("RedisLockRegistry spin", registry(spin));
            libraries.put("RedisLockRegistry pub/sub", registry(pubSub));
            try (RedisConnection connection = stats.getConnection()) {
                runAll("Redis", libraries, duration, threads, pauses, () -> commandCalls(connection));
            }
            pubSub.destroy();
            spin.destroy();
            redisson.shutdown();
        }
    }

    private static void zooKeeper(Duration duration, int[] threads, int[] pauses) throws Exception {
        try (ZooKeeperTestServer server = ZooKeeperTestServer.start()) {
            CuratorFramework ours = server.client(Duration.ofSeconds(30));
            CuratorFramework curator = server.client(Duration.ofSeconds(30));
            Map<String, Library> libraries = new LinkedHashMap<>();
            libraries.put("distlock", distlock(new ZooKeeperLockStore(ours)));
            libraries.put("Curator InterProcessMutex", key -> {
                InterProcessMutex mutex = new InterProcessMutex(curator, "/bench-mutex/" + key);
                return contender(() -> mutex.acquire(WAIT.toMillis(), TimeUnit.MILLISECONDS), mutex::release);
            });
            runAll("ZooKeeper", libraries, duration, threads, pauses, null);
            ours.close();
            curator.close();
        }
    }

    private static void etcd(Duration duration, int[] threads, int[] pauses) throws Exception {
        try (EtcdTestServer server = EtcdTestServer.start()) {
            EtcdLockStoreProperties properties = new EtcdLockStoreProperties();
            properties.setEndpoints(List.of(server.endpoint()));
            Duration timeout = Duration.ofSeconds(10);
            properties.setRequestTimeout(timeout);
            EtcdLockStore store = new EtcdLockStore(EtcdLockStoreFactory.newClient(properties, "bench.etcd", null),
                    properties.getNamespace(), timeout, true);
            Client jetcd = EtcdLockStoreFactory.newClient(properties, "bench.etcd", null);
            Map<String, Library> libraries = new LinkedHashMap<>();
            libraries.put("distlock", distlock(store));
            libraries.put("jetcd Lock", key -> {
                long lease = jetcd.getLeaseClient().grant(LEASE_SECONDS).get(10, TimeUnit.SECONDS).getID();
                ByteSequence name = ByteSequence.from(key.getBytes());
                ByteSequence[] ownership = new ByteSequence[1];
                return new Contender() {
                    @Override
                    public void lock() throws Exception {
                        ownership[0] = jetcd.getLockClient().lock(name, lease).get(WAIT.toMillis(),
                                TimeUnit.MILLISECONDS).getKey();
                    }

                    @Override
                    public void unlock() throws Exception {
                        jetcd.getLockClient().unlock(ownership[0]).get(10, TimeUnit.SECONDS);
                    }
                };
            });
            runAll("etcd", libraries, duration, threads, pauses, null);
            store.close();
            jetcd.close();
        }
    }

    /** This project's template over {@code store}, waiting as {@code @DistributedLock(waitTime)} does. */
    private static Library distlock(LockStore store) {
        LockTemplate template = new LockTemplate(new DistributedLockClient(Map.of("store", store), "store",
                LockKeyNamespace.of("bench")));
        LockOptions options = LockOptions.builder().waitTime(WAIT).expire(Duration.ofSeconds(LEASE_SECONDS)).build();
        return key -> {
            LockHandle[] held = new LockHandle[1];
            return contender(() -> {
                held[0] = template.acquire(key, options);
                return true;
            }, () -> held[0].release());
        };
    }

    private static Library registry(RedisLockRegistry registry) {
        return key -> {
            Lock lock = registry.obtain(key);
            return contender(() -> lock.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS), lock::unlock);
        };
    }

    interface Acquire {
        boolean run() throws Exception;
    }

    interface Release {
        void run() throws Exception;
    }

    private static Contender contender(Acquire acquire, Release release) {
        return new Contender() {
            @Override
            public void lock() throws Exception {
                if (!acquire.run()) {
                    throw new IllegalStateException("not acquired within " + WAIT);
                }
            }

            @Override
            public void unlock() throws Exception {
                release.run();
            }
        };
    }

    interface Counter {
        long read();
    }

    private static void runAll(String store, Map<String, Library> libraries, Duration duration, int[] threads,
            int[] pauses, Counter commands) throws Exception {
        // The JIT first: otherwise the first library of a store measures code paths (gRPC, Netty, the client) that
        // the next one then finds compiled.
        for (Library library : libraries.values()) {
            run(library, 1, 0, Duration.ofSeconds(3), null);
            run(library, 8, 0, Duration.ofSeconds(2), null);
        }
        for (int n : threads) {
            for (int pause : pauses) {
                Map<String, Result> results = new LinkedHashMap<>();
                for (Map.Entry<String, Library> library : libraries.entrySet()) {
                    run(library.getValue(), n, pause, Duration.ofSeconds(1), null); // warm-up
                    results.put(library.getKey(), run(library.getValue(), n, pause, duration, commands));
                }
                double ours = results.get("distlock").sectionsPerSecond();
                TARGETS.add(targets(store, n, pause, results));
                results.forEach((name, r) -> System.out.printf(Locale.ROOT,
                        "| %s | %d | %d ms | %s | %,.0f | %.2f | %.1f | %d / %d | %s | %.2f |%n", store, n, pause,
                        name, r.sectionsPerSecond(), r.p50Millis(), r.p99Millis(), r.fewest(), r.most(),
                        Double.isNaN(r.commandsPerSection()) ? "" : String.format(Locale.ROOT, "%.1f",
                                r.commandsPerSection()), r.sectionsPerSecond() / ours));
            }
        }
    }

    /**
     * One row of the targets table: distlock against the best other library of the row group, as the targets
     * put it (sections/s at least 1.2x the best's, wait p99 no higher than the lowest, fairness at least 0.8, at most
     * 4 Redis commands per section with 64 waiters).
     */
    private static String targets(String store, int threads, int pause, Map<String, Result> results) {
        Result ours = results.get("distlock");
        Map.Entry<String, Result> best = null;
        double lowestP99 = Double.MAX_VALUE;
        for (Map.Entry<String, Result> other : results.entrySet()) {
            if (!other.getKey().equals("distlock")) {
                if (best == null || other.getValue().sectionsPerSecond() > best.getValue().sectionsPerSecond()) {
                    best = other;
                }
                lowestP99 = Math.min(lowestP99, other.getValue().p99Millis());
            }
        }
        double speed = ours.sectionsPerSecond() / best.getValue().sectionsPerSecond();
        double fairness = ours.most() == 0 ? 0 : ours.fewest() / (double) ours.most();
        boolean commandsMet = threads < 64 || Double.isNaN(ours.commandsPerSection())
                || ours.commandsPerSection() <= 4.05;
        boolean met = speed >= 1.2 && ours.p99Millis() <= lowestP99 && fairness >= 0.8 && commandsMet;
        return String.format(Locale.ROOT, "| %s | %d | %d ms | %s | %.2f | %.1f / %.1f | %.2f | %s | %s |", store,
                threads, pause, best.getKey(), speed, ours.p99Millis(), lowestP99, fairness,
                Double.isNaN(ours.commandsPerSection()) ? "" : String.format(Locale.ROOT, "%.1f",
                        ours.commandsPerSection()), met ? "yes" : "no");
    }

    /** {@code threads} threads on one fresh key for {@code duration}; fails on two holders at once. */
    static Result run(Library library, int threads, int pauseMillis, Duration duration, Counter commands)
            throws Exception {
        String key = "contended-" + UUID.randomUUID();
        AtomicInteger inside = new AtomicInteger();
        long[] counter = new long[1];
        long[][] waits = new long[threads][];
        int[] sections = new int[threads];
        Throwable[] failure = new Throwable[1];
        List<Contender> contenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            contenders.add(library.contender(key));
        }
        long before = commands != null ? commands.read() : 0;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                long[] own = new long[1024];
                int count = 0;
                try {
                    while (System.nanoTime() - end < 0) {
                        long attempt = System.nanoTime();
                        contenders.get(id).lock();
                        long entered = System.nanoTime();
                        if (inside.incrementAndGet() != 1) {
                            throw new IllegalStateException("two holders at once");
                        }
                        counter[0]++;
                        inside.decrementAndGet();
                        contenders.get(id).unlock();
                        if (count == own.length) {
                            own = Arrays.copyOf(own, count * 2);
                        }
                        own[count++] = entered - attempt;
                        if (pauseMillis > 0) {
                            Thread.sleep(pauseMillis);
                        }
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
                waits[id] = Arrays.copyOf(own, count);
                sections[id] = count;
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = commands != null ? commands.read() : 0;
        if (failure[0] != null) {
            throw new IllegalStateException("A worker failed", failure[0]);
        }
        long[] all = Arrays.stream(waits).flatMapToLong(Arrays::stream).sorted().toArray();
        long total = all.length;
        return new Result(total / seconds, percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6,
                Arrays.stream(sections).min().orElse(0), Arrays.stream(sections).max().orElse(0),
                commands != null ? (after - before - 1) / (double) total : Double.NaN);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    /** Calls of all commands the Redis server has counted ({@code INFO commandstats}), this INFO included. */
    private static long commandCalls(RedisConnection connection) {
        long calls = 0;
        for (Object line : connection.serverCommands().info("commandstats").values()) {
            String text = line.toString();
            int at = text.indexOf("calls=");
            if (at >= 0) {
                int endAt = text.indexOf(',', at);
                calls += Long.parseLong(text.substring(at + 6, endAt < 0 ? text.length() : endAt));
            }
        }
        return calls;
    }
}
