package io.github.distlock.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.store.jdbc.JdbcLockStoreFactory;
import io.github.distlock.store.jdbc.JdbcLockStoreProperties;
import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.MariaDbTestServer;
import io.github.distlock.testsupport.PostgresTestServer;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Lock + unlock cycles per second on PostgreSQL and MariaDB, each thread on its own key, at 1 and 8 threads:
 * distlock's JDBC store (through {@link DistributedLockClient}); ShedLock's {@code JdbcTemplateLockProvider}
 * ({@code lock}, then {@code SimpleLock.unlock}, database time); Spring Integration's {@code JdbcLockRegistry}
 * ({@code tryLock}/{@code unlock}). Same server, same run, each library on a Hikari pool of its own with the same
 * settings. Every cycle must succeed (the key is the thread's own), or the benchmark fails.
 * {@code distlockWithoutNotify_*}: the store with {@code release-notifications} off (on MariaDB the same as
 * {@code distlock_*}).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar JdbcLockBenchmark
 * </pre>
 *
 * The servers: {@code DISTLOCK_TEST_POSTGRES} / {@code DISTLOCK_TEST_MARIADB} (JDBC URLs), else Docker, else the
 * Debian packages' binaries started by each fork on a free loopback port (see {@link PostgresTestServer} and
 * {@link MariaDbTestServer} for their settings).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class JdbcLockBenchmark {

    private static final int LEASE_SECONDS = 30;
    private static final String STORE = "jdbc";
    private static final int POOL_SIZE = 16;

    @Param({"postgres", "mariadb"})
    public String database;

    private JdbcTestServer server;
    private HikariDataSource ourPool;
    private HikariDataSource shedLockPool;
    private HikariDataSource integrationPool;
    private LockStore store;
    private DistributedLockClient client;
    private LockStore quietStore;
    private DistributedLockClient quietClient;
    private JdbcTemplateLockProvider shedLock;
    private DefaultLockRepository lockRepository;
    private JdbcLockRegistry lockRegistry;
    private final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();
        server = database.equals("postgres") ? PostgresTestServer.start() : MariaDbTestServer.start();
        ourPool = pool(server, "distlock");
        shedLockPool = pool(server, "shedlock");
        integrationPool = pool(server, "spring-integration");

        store = jdbcStore(ourPool, true);
        client = new DistributedLockClient(Map.of(STORE, store), STORE, LockKeyNamespace.of("bench"));
        quietStore = jdbcStore(ourPool, false);
        quietClient = new DistributedLockClient(Map.of(STORE, quietStore), STORE, LockKeyNamespace.of("quiet"));

        new JdbcTemplate(shedLockPool).execute(database.equals("postgres")
                ? "CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "lock_until TIMESTAMP(3) NOT NULL, locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), "
                        + "locked_by VARCHAR(255) NOT NULL)");
        shedLock = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(shedLockPool)).usingDbTime().build());

        createIntegrationTable(integrationPool, database);
        lockRepository = integrationRepository(integrationPool);
        lockRegistry = new JdbcLockRegistry(lockRepository, Duration.ofSeconds(LEASE_SECONDS));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        lockRepository.close();
        ((AutoCloseable) store).close();
        ((AutoCloseable) quietStore).close();
        integrationPool.close();
        shedLockPool.close();
        ourPool.close();
        server.close();
    }


    static HikariDataSource pool(JdbcTestServer server, String name) {
        return server.dataSource(config -> {
            config.setPoolName(name);
            config.setMaximumPoolSize(POOL_SIZE);
            config.setMinimumIdle(POOL_SIZE);
            config.setConnectionTimeout(10_000);
        });
    }

    /** Our store, built the way the auto-configuration builds it. */
    static LockStore jdbcStore(DataSource dataSource, boolean releaseNotifications) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("dataSource", dataSource);
        JdbcLockStoreProperties properties = new JdbcLockStoreProperties();
        properties.setCreateTable(true);
        properties.setReleaseNotifications(releaseNotifications);
        return new JdbcLockStoreFactory(beans).create(new LockStoreDefinition<>(STORE, properties,
                "distributed-lock.stores." + STORE + ".jdbc"));
    }

    static void createIntegrationTable(DataSource dataSource, String database) {
        String timestamp = database.equals("postgres") ? "TIMESTAMP" : "DATETIME(6)";
        new JdbcTemplate(dataSource).execute("CREATE TABLE IF NOT EXISTS INT_LOCK (LOCK_KEY CHAR(36) NOT NULL, "
                + "REGION VARCHAR(100) NOT NULL, CLIENT_ID CHAR(36), CREATED_DATE " + timestamp + " NOT NULL, "
                + "EXPIRED_AFTER " + timestamp + " NOT NULL, CONSTRAINT INT_LOCK_PK PRIMARY KEY (LOCK_KEY, REGION))");
    }

    /** A Spring Integration lock repository as its auto-configuration would set it up, with its own client id. */
    static DefaultLockRepository integrationRepository(DataSource dataSource) {
        DefaultLockRepository repository = new DefaultLockRepository(dataSource);
        repository.setTransactionManager(new DataSourceTransactionManager(dataSource));
        repository.afterPropertiesSet();
        repository.afterSingletonsInstantiated();
        return repository;
    }

    /** One thread's key, owner and the competitors' lock objects for that key. */
    @State(Scope.Thread)
    public static class PerThread {
        TryLockRequest tryLock;
        UnlockRequest unlock;
        String shedLockName;
        Lock registryLock;

        @Setup(Level.Trial)
        public void setUp(JdbcLockBenchmark benchmark) {
            String resource = "bench-" + benchmark.threadIds.incrementAndGet() + "-" + UUID.randomUUID();
            String owner = UUID.randomUUID().toString();
            tryLock = new TryLockRequest(STORE, resource, owner, LEASE_SECONDS);
            unlock = new UnlockRequest(STORE, resource, owner);
            shedLockName = resource; // under ShedLock's 64 characters
            registryLock = benchmark.lockRegistry.obtain(resource);
        }
    }

    @Benchmark
    @Threads(1)
    public void distlock_1(PerThread thread) {
        distlockCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public void distlock_8(PerThread thread) {
        distlockCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public void shedLock_1(PerThread thread) {
        shedLockCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public void shedLock_8(PerThread thread) {
        shedLockCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public void springIntegration_1(PerThread thread) {
        registryCycle(thread);
    }

    @Benchmark
    @Threads(8)
    public void springIntegration_8(PerThread thread) {
        registryCycle(thread);
    }

    /** The store with release notifications off: on PostgreSQL, what the Unlock's {@code NOTIFY} costs. */
    @Benchmark
    @Threads(1)
    public void distlockWithoutNotify_1(PerThread thread) {
        distlockCycle(quietClient, thread);
    }

    @Benchmark
    @Threads(8)
    public void distlockWithoutNotify_8(PerThread thread) {
        distlockCycle(quietClient, thread);
    }

    private void distlockCycle(PerThread thread) {
        distlockCycle(client, thread);
    }

    private static void distlockCycle(DistributedLockClient client, PerThread thread) {
        if (!client.tryLock(thread.tryLock).success()) {
            throw new IllegalStateException("distlock refused a free key " + thread.tryLock.resourceId());
        }
        LockStatus status = client.unlock(thread.unlock).status();
        if (status != LockStatus.SUCCESS) {
            throw new IllegalStateException("distlock unlock answered " + status);
        }
    }

    private void shedLockCycle(PerThread thread) {
        Optional<SimpleLock> lock = shedLock.lock(new LockConfiguration(Instant.now(), thread.shedLockName,
                Duration.ofSeconds(LEASE_SECONDS), Duration.ZERO));
        lock.orElseThrow(() -> new IllegalStateException("ShedLock refused a free key " + thread.shedLockName))
                .unlock();
    }

    private static void registryCycle(PerThread thread) {
        if (!thread.registryLock.tryLock()) {
            throw new IllegalStateException("JdbcLockRegistry refused a free key");
        }
        thread.registryLock.unlock();
    }
}
