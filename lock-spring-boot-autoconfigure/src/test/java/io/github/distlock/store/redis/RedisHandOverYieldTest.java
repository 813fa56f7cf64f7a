package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.core.CountingWaitingStore;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hand-over yields to contenders of other applications: a TryLock refused through one store instance marks the
 * key, and a hand-over through another instance then releases the key as Unlock does instead of keeping it within its
 * application. Two store instances on separate connections stand for two JVMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RedisHandOverYieldTest {

    private static final int LEASE = 60;

    private RedisTestServer server;
    private final List<LettuceConnectionFactory> connections = new ArrayList<>();
    private RedisLockStore here;
    private RedisLockStore elsewhere;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> adminConnection;

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        here = newStore();
        elsewhere = newStore();
        adminClient = RedisClient.create(RedisURI.create(server.host(), server.port()));
        adminConnection = adminClient.connect();
    }

    private RedisLockStore newStore() {
        LettuceConnectionFactory connection = server.connectionFactory(Duration.ofSeconds(10));
        connections.add(connection);
        return new RedisLockStore(connection);
    }

    @AfterAll
    void stop() {
        for (RedisLockStore store : new RedisLockStore[] {here, elsewhere}) {
            if (store != null) {
                store.close();
            }
        }
        if (adminConnection != null) {
            adminConnection.close();
            adminClient.shutdown();
        }
        connections.forEach(LettuceConnectionFactory::destroy);
        if (server != null) {
            server.close();
        }
    }

    private RedisCommands<String, String> admin() {
        return adminConnection.sync();
    }

    private static String key(String name) {
        return "yield:" + name + ":" + UUID.randomUUID();
    }

    private static String owner() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aKeyMarkedByAnotherInstancesContenderIsReleasedAsByUnlockInsteadOfHandedOver() throws Exception {
        String key = key("marked");
        String owner = owner();
        long first = here.tryLockFenced(key, owner, LEASE);
        String contender = owner();
        assertThat(elsewhere.tryLock(key, contender, LEASE)).isFalse();
        assertThat(admin().hexists(key, "w")).as("the refused TryLock marked the key").isTrue();
        subscribe(elsewhere);
        CompletableFuture<Void> woken = awaitReleaseElsewhere(key);
        // Subscribed before it waits: it sleeps until a release is announced (or 30 s pass, with 60 s of lease).
        await().atMost(Duration.ofSeconds(20)).until(() -> elsewhere.releaseSignal().waiterCount() == 1);

        String next = owner();
        assertThat(here.handOver(key, owner, next, LEASE)).isEqualTo(HandOverLockStore.RELEASED);

        woken.get(LEASE / 4, TimeUnit.SECONDS); // announced: woken well before its 30 s, with 60 s of lease left
        assertThat(admin().hgetall(key)).as("a tombstone holding the last token, as Unlock leaves it")
                .isEqualTo(Map.of("t", Long.toString(first)));
        assertThat(admin().pttl(key)).isPositive()
                .isLessThanOrEqualTo(RedisLockStore.DEFAULT_TOKEN_RETENTION.toMillis());
        assertThat(here.unlock(key, owner)).isEqualTo(LockStatus.LOCK_UNEXIST);
        assertThat(here.unlock(key, next)).as("nothing handed over").isEqualTo(LockStatus.LOCK_UNEXIST);
        assertThat(elsewhere.tryLockFenced(key, contender, LEASE)).as("the contender gets it").isGreaterThan(first);
        assertThat(elsewhere.unlock(key, contender)).isEqualTo(LockStatus.SUCCESS);
    }

    /** Its read of the lease marks the key too: after a release that cleared the TryLock's mark, it is still seen. */
    @Test
    void aWaiterOfAnotherInstanceMarksTheKeyWhenItReadsTheLease() throws Exception {
        String key = key("waiting");
        String owner = owner();
        here.tryLockFenced(key, owner, LEASE);
        subscribe(elsewhere);
        CompletableFuture<Void> woken = awaitReleaseElsewhere(key);
        await().atMost(Duration.ofSeconds(20)).until(() -> admin().hexists(key, "w"));

        assertThat(here.handOver(key, owner, owner(), LEASE)).isEqualTo(HandOverLockStore.RELEASED);
        woken.get(LEASE / 4, TimeUnit.SECONDS);
        assertThat(admin().hexists(key, "w")).isFalse();
    }

    @Test
    void anUnlockClearsTheMarkSoTheNextHolderHandsOverAgain() {
        String key = key("cleared");
        String owner = owner();
        here.tryLockFenced(key, owner, LEASE);
        assertThat(elsewhere.tryLock(key, owner(), LEASE)).isFalse();
        assertThat(here.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(admin().hexists(key, "w")).as("mark cleared by the Unlock").isFalse();

        String second = owner();
        long token = here.tryLockFenced(key, second, LEASE);
        String next = owner();
        assertThat(here.handOver(key, second, next, LEASE)).as("handed over: no contender elsewhere now")
                .isGreaterThan(token);
        assertThat(here.unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        assertThat(admin().hexists(key, "w")).isFalse();
    }

    @Test
    void aContenderOfTheSameInstanceDoesNotMakeTheHandOverYield() {
        String key = key("own");
        String owner = owner();
        long first = here.tryLockFenced(key, owner, LEASE);
        assertThat(admin().hexists(key, "w")).as("no mark on the uncontended path").isFalse();
        assertThat(here.tryLock(key, owner(), LEASE)).isFalse();
        assertThat(admin().hexists(key, "w")).as("no mark: a contender of the holder's instance, nothing to tell")
                .isFalse();

        String next = owner();
        assertThat(here.handOver(key, owner, next, LEASE)).isGreaterThan(first);
        assertThat(here.unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void manyHandOversInARowAreAllowedSinceContendersElsewhereShowThemselves() {
        assertThat(here.maxHandOversInARow()).as("more than a store that never yields allows")
                .isGreaterThan(new InMemoryLockStore().maxHandOversInARow());
    }

    /**
     * Threads of one application pass the lock among themselves by hand-over, with no pause; a contender of another
     * application gets in within a few releases each time it asks, far fewer than the 1024 hand-overs in a row the
     * store allows (a contender of an old version, which leaves no mark, waits that long).
     */
    @Test
    void aContenderOfAnotherApplicationGetsInWhileALocalLineKeepsHandingOver() throws Exception {
        CountingWaitingStore counted = CountingWaitingStore.of(here);
        LockTemplate local = template(counted);
        LockTemplate remote = template(elsewhere);
        LockOptions options = LockOptions.builder().waitTime(Duration.ofSeconds(60)).renewal(false).build();
        AtomicLong localSections = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread worker = new Thread(() -> {
                // Bounded: stops when told, and after 1,000,000 sections at the most.
                for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                    try (LockHandle lock = local.acquire("hot", options)) {
                        localSections.incrementAndGet();
                    } catch (RuntimeException e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                        return;
                    }
                }
            }, "local-" + t);
            workers.add(worker);
            worker.start();
        }
        try {
            subscribe(elsewhere); // waiting with its release signal, not polling
            await().atMost(Duration.ofSeconds(30)).until(() -> counted.handOvers.get() >= 100);
            List<Long> releasesBeforeEntering = new ArrayList<>();
            for (int attempt = 0; attempt < 5; attempt++) {
                long before = localSections.get();
                try (LockHandle lock = remote.acquire("hot", options)) {
                    releasesBeforeEntering.add(localSections.get() - before);
                }
                long handOvers = counted.handOvers.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> counted.handOvers.get() >= handOvers + 20);
            }
            System.out.println("Local sections before the other application's contender entered: "
                    + releasesBeforeEntering + "; hand-overs " + counted.handOvers.get() + ", Unlocks "
                    + counted.unlocks.get() + ", TryLocks " + counted.tryLocks.get());
            assertThat(releasesBeforeEntering).as("local releases before the contender elsewhere got in")
                    .allSatisfy(n -> assertThat(n).isLessThan(300));
        } finally {
            stop.set(true);
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(60).toMillis());
                assertThat(worker.isAlive()).as(worker.getName() + " still running").isFalse();
            }
        }
        assertThat(errors).isEmpty();
    }

    /** {@code elsewhere} waits for the release of {@code key}, in the background, 30 s at most. */
    private CompletableFuture<Void> awaitReleaseElsewhere(String key) {
        return CompletableFuture.runAsync(() -> {
            try {
                elsewhere.awaitRelease(key, Duration.ofSeconds(LEASE / 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Opens the store's subscription to release messages (on its first wait) and waits until it is live. */
    private static void subscribe(RedisLockStore store) throws InterruptedException {
        store.awaitRelease(key("free"), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> store.releaseSignal().subscription().isLive());
    }

    private static LockTemplate template(LockStore store) {
        return new LockTemplate(new DistributedLockClient(Map.of("redis", store), "redis",
                LockKeyNamespace.of("yield")));
    }
}
