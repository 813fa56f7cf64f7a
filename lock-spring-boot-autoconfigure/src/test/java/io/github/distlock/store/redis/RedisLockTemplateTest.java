package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link LockTemplate} on a real Redis, as two application instances (each its own connection and template): a store
 * that cannot signal releases, so waiters back off and try again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RedisLockTemplateTest {

    private RedisTestServer server;
    private LettuceConnectionFactory connectionA;
    private LettuceConnectionFactory connectionB;
    private LockTemplate instanceA;
    private LockTemplate instanceB;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        connectionA = server.connectionFactory(Duration.ofSeconds(5));
        connectionB = server.connectionFactory(Duration.ofSeconds(5));
        instanceA = template(connectionA);
        instanceB = template(connectionB);
    }

    private static LockTemplate template(LettuceConnectionFactory connection) {
        return new LockTemplate(new DistributedLockClient(Map.of("redis", new RedisLockStore(connection)), "redis",
                LockKeyNamespace.of("template-test")));
    }

    @AfterAll
    void stop() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        for (LettuceConnectionFactory connection : new LettuceConnectionFactory[] {connectionA, connectionB}) {
            if (connection != null) {
                connection.destroy();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void executeLockedExcludesTheOtherInstanceAndReleasesAfterReturnAndAfterAnException() throws Exception {
        String result = instanceA.executeLocked("order:1", LockOptions.tryOnce(), lock -> {
            // From another thread: on this one, a call on the same key would be a reentrant hold of this lock.
            assertThat(threads.submit(() -> instanceB.tryAcquire("order:1", LockOptions.tryOnce()))
                    .get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(CurrentLock.get()).containsSame(lock);
            assertThat(lock.fencingToken()).as("the grant's fencing token").isPresent();
            assertThat(CurrentLock.get().orElseThrow().fencingToken()).isEqualTo(lock.fencingToken());
            assertThat(lock.renew()).isEqualTo(LockStatus.SUCCESS);
            return "paid";
        });
        assertThat(result).isEqualTo("paid");
        instanceB.acquire("order:1", LockOptions.tryOnce()).close();

        assertThatThrownBy(() -> instanceA.executeLocked("order:2", LockOptions.tryOnce(), lock -> {
            throw new IllegalStateException("declined");
        })).hasMessage("declined");
        try (LockHandle lock = instanceB.acquire("order:2", LockOptions.tryOnce())) {
            assertThat(lock.isHeld()).isTrue();
        }
    }

    @Test
    void aWaiterOnTheOtherInstanceAcquiresSoonAfterTheRelease() throws Exception {
        LockHandle holder = instanceA.acquire("order:3", LockOptions.tryOnce());
        Future<Long> acquiredAt = threads.submit(() -> {
            try (LockHandle lock = instanceB.acquire("order:3", LockOptions.waitFor(Duration.ofSeconds(10)))) {
                return System.nanoTime();
            }
        });
        Thread.sleep(300);
        assertThat(acquiredAt).isNotDone();
        long releasedAt = System.nanoTime();
        assertThat(holder.release()).isEqualTo(LockStatus.SUCCESS);
        long afterMillis = TimeUnit.NANOSECONDS.toMillis(acquiredAt.get(5, TimeUnit.SECONDS) - releasedAt);
        assertThat(afterMillis).as("within one backoff pause (at most 200 ms) and a round trip").isLessThan(1_000);
    }

    @Test
    void anInterruptWhileBackingOffEndsTheWait() throws Exception {
        LockHandle holder = instanceA.acquire("order:4", LockOptions.tryOnce());
        AtomicReference<Thread> waiter = new AtomicReference<>();
        Future<Boolean> interruptFlag = threads.submit(() -> {
            waiter.set(Thread.currentThread());
            assertThatThrownBy(() -> instanceB.acquire("order:4", LockOptions.waitFor(Duration.ofSeconds(30))))
                    .isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("interrupted while waiting");
            return Thread.currentThread().isInterrupted();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.get() != null
                && waiter.get().getState() == Thread.State.TIMED_WAITING);
        waiter.get().interrupt();
        assertThat(interruptFlag.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(holder.release()).isEqualTo(LockStatus.SUCCESS);
    }
}
