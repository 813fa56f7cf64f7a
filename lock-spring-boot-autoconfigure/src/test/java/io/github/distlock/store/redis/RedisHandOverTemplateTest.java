package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.CountingWaitingStore;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads of one JVM taking one key on Redis again and again: each release hands the lock to the next thread in one
 * script, so a section costs about one script instead of an Unlock and a TryLock; sections never overlap, and the
 * fencing tokens grow from section to section across the hand-overs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class RedisHandOverTemplateTest {

    private static final int THREADS = 8;
    private static final int SECTIONS = 60;

    private RedisTestServer server;
    private final List<LettuceConnectionFactory> connections = new ArrayList<>();

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
    }

    @AfterAll
    void stop() {
        connections.forEach(LettuceConnectionFactory::destroy);
        if (server != null) {
            server.close();
        }
    }

    private LettuceConnectionFactory connect() {
        LettuceConnectionFactory connection = server.connectionFactory(Duration.ofSeconds(10));
        connections.add(connection);
        return connection;
    }

    @Test
    void eightThreadsOnOneKeyNeverOverlapAndPayAboutOneScriptPerSection() throws Exception {
        CountingWaitingStore store = CountingWaitingStore.of(new RedisLockStore(connect()));
        assertThat(store).isInstanceOf(HandOverLockStore.class);
        LockTemplate locks = new LockTemplate(new DistributedLockClient(Map.of("redis", store), "redis",
                LockKeyNamespace.of("handover")));
        LockOptions wait = LockOptions.waitFor(Duration.ofSeconds(60));
        int[] counter = {0}; // guarded by the lock alone
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        long scriptsBefore;
        try (RedisConnection stats = connect().getConnection()) {
            scriptsBefore = scriptCalls(stats);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(new Thread(() -> {
                    for (int s = 0; s < SECTIONS; s++) {
                        try (LockHandle lock = locks.acquire("hot", wait)) {
                            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            tokens.add(lock.fencingToken().getAsLong());
                            counter[0]++;
                            inside.decrementAndGet();
                        } catch (Throwable e) {
                            errors.add(e);
                            return;
                        }
                    }
                }, "worker-" + t));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(120).toMillis());
                assertThat(worker.isAlive()).as(worker.getName() + " still working").isFalse();
            }
            long sections = (long) THREADS * SECTIONS;
            long scripts = scriptCalls(stats) - scriptsBefore;
            System.out.println(THREADS + " threads x " + SECTIONS + " sections: " + store.tryLocks.get()
                    + " TryLocks, " + store.handOvers.get() + " hand-overs, " + store.unlocks.get() + " Unlocks, "
                    + store.awaits.get() + " waits; server: " + scripts + " scripts, "
                    + String.format("%.2f", (double) scripts / sections) + " per section");

            assertThat(errors).isEmpty();
            assertThat(mostInside).as("never two holders at once").hasValue(1);
            assertThat(counter[0]).as("every section counted").isEqualTo(sections);
            assertThat(tokens).as("a larger fencing token in every section").hasSize((int) sections)
                    .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
            assertThat(store.handOvers.get()).as("most releases hand the lock over").isGreaterThan(sections / 2);
            long sent = store.tryLocks.get() + store.handOvers.get() + store.unlocks.get() + store.awaits.get();
            assertThat((double) sent / sections).as("store calls per section").isLessThan(1.5);
            assertThat((double) scripts / sections).as("scripts per section, as the server counts them")
                    .isLessThan(1.5);
        }
    }

    /** {@code EVALSHA} and {@code EVAL} calls the server has counted ({@code INFO commandstats}). */
    private static long scriptCalls(RedisConnection connection) {
        Properties stats = connection.serverCommands().info("commandstats");
        long calls = 0;
        for (String name : List.of("cmdstat_evalsha", "cmdstat_eval")) {
            String line = stats.getProperty(name);
            if (line != null) {
                int at = line.indexOf("calls=") + "calls=".length();
                int end = line.indexOf(',', at);
                calls += Long.parseLong(line.substring(at, end < 0 ? line.length() : end));
            }
        }
        return calls;
    }
}
