package io.github.distlock.annotation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Proxyable;
import org.springframework.context.annotation.ProxyType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @DistributedLock} in a Spring Boot context on the in-memory store. */
class DistributedLockAspectTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withUserConfiguration(Services.class)
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("spring.application.name=billing");

    @Test
    void sixteenThreadsOnOneKeyNeverOverlap() {
        runner.run(context -> {
            OrderService service = context.getBean(OrderService.class);
            int threads = 16;
            int callsPerThread = 20;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < callsPerThread; i++) {
                            service.pay("42");
                        }
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    future.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(service.runs()).isEqualTo(threads * callsPerThread);
            assertThat(service.maxInside()).as("most calls inside the method at once").isEqualTo(1);
        });
    }

    @Test
    void throwsNamingKeyAndStoreWhenTheLockIsHeld() {
        runner.run(context -> {
            holdResource(context.getBean(DistributedLockClient.class), "order:7");
            assertThatThrownBy(() -> context.getBean(OrderService.class).payOnce("7"))
                    .isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("order:7").hasMessageContaining("in-memory")
                    .extracting("resourceId").isEqualTo("order:7");
            assertThat(context.getBean(OrderService.class).runs()).isZero();
        });
    }

    @Test
    void skipReturnsNothingWhenTheLockIsHeld() {
        runner.run(context -> {
            OrderService service = context.getBean(OrderService.class);
            holdResource(context.getBean(DistributedLockClient.class), "order:8");
            assertThat(service.skipString("8")).isNull();
            assertThat(service.skipOptional("8")).isEmpty();
            service.skipVoid("8");
            assertThat(service.runs()).isEqualTo(0);
            assertThat(service.skipString("9")).isEqualTo("ran 9");
            assertThat(service.runs()).isEqualTo(1);
        });
    }

    @Test
    void anExceptionInsideTheMethodStillUnlocks() {
        runner.run(context -> {
            OrderService service = context.getBean(OrderService.class);
            assertThatThrownBy(() -> service.fail("5")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("payment declined");
            assertThat(tryResource(context.getBean(DistributedLockClient.class), "order:5")).isTrue();
        });
    }

    @Test
    void anInterruptedThreadStillUnlocksAndKeepsItsInterrupt() {
        // A store that, like blocking network clients, refuses to work on an interrupted thread.
        runner.withBean("in-memory", LockStore.class, NetworkLikeStore::new).run(context -> {
            OrderService service = context.getBean(OrderService.class);
            try {
                service.interruptSelf("6");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(tryResource(context.getBean(DistributedLockClient.class), "order:6")).isTrue();
        });
    }

    @Test
    void anInterruptPendingWhenTheMethodIsCalledIsNotAcquiredNotAStoreFailure() {
        runner.withBean("in-memory", LockStore.class, NetworkLikeStore::new).run(context -> {
            OrderService service = context.getBean(OrderService.class);
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> service.payOnce("interrupted-before"))
                        .isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("interrupted");
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(service.runs()).as("the method does not run").isZero();
            assertThat(tryResource(context.getBean(DistributedLockClient.class), "order:interrupted-before"))
                    .as("no lock was left behind").isTrue();
        });
    }

    @Test
    void aTryLockThatFailedAfterTheStoreTookTheLockIsUndoneInTheBackground() {
        runner.withBean("in-memory", LockStore.class, NetworkLikeStore::new).run(context -> {
            OrderService service = context.getBean(OrderService.class);
            NetworkLikeStore store = (NetworkLikeStore) context.getBean("in-memory");
            store.loseNextTryLockReply.set(true);
            assertThatThrownBy(() -> service.payOnce("lost-reply")).isInstanceOf(LockStoreException.class)
                    .hasMessageContaining("reply lost");
            assertThat(service.runs()).as("the method does not run").isZero();
            // The lock was taken for a 30s lease by an owner nobody knows; the clean-up Unlock frees it at once.
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean free = tryResource(client, "order:lost-reply");
            while (!free && System.nanoTime() < deadline) {
                Thread.sleep(20);
                free = tryResource(client, "order:lost-reply");
            }
            assertThat(free).as("free again within 5 s, long before its 30 s lease").isTrue();
        });
    }

    @Test
    void keysAreSpelOverArgumentsAndDefaultToClassAndMethod() {
        runner.run(context -> {
            OrderService service = context.getBean(OrderService.class);
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            holdResource(client, "A-1-nested");
            assertThatThrownBy(() -> service.nested(new Order("A-1"))).isInstanceOf(LockNotAcquiredException.class);
            service.nested(new Order("A-2"));
            holdResource(client, OrderService.class.getName() + ".defaultKey");
            assertThatThrownBy(service::defaultKey).isInstanceOf(LockNotAcquiredException.class);
        });
    }

    @Test
    void waitingCallsRunOnceTheHolderReleases() {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            OrderService service = context.getBean(OrderService.class);
            String owner = holdResource(client, "order:wait");
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                client.unlock(new UnlockRequest("", "order:wait", owner));
            });
            releaser.start();
            service.pay("wait");
            releaser.join(5000);
            assertThat(service.runs()).isEqualTo(1);
        });
    }

    @Test
    void aLeaseThatExpiresWhileTheMethodRunsIsReportedAndTheNewOwnersLockIsKept() {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            OrderService service = context.getBean(OrderService.class);
            String[] newOwner = new String[1];
            service.overrun("slow", () -> newOwner[0] = holdResource(client, "slow:slow"));
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("distributed.lock.unlock").tag("status", "lock_belong_to_others").counter().count())
                    .isEqualTo(1.0);
            assertThat(client.unlock(new UnlockRequest("", "slow:slow", newOwner[0])).status())
                    .as("the new owner's lock was left alone").isEqualTo(LockStatus.SUCCESS);
        });
    }

    @Test
    void recordsMetrics() {
        runner.run(context -> {
            OrderService service = context.getBean(OrderService.class);
            service.pay("m1");
            service.pay("m2");
            holdResource(context.getBean(DistributedLockClient.class), "order:m3");
            assertThatThrownBy(() -> service.payOnce("m3")).isInstanceOf(LockNotAcquiredException.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("distributed.lock.acquire").tags("store", "in-memory", "source", "annotation",
                    "result", "acquired").timer().count()).isEqualTo(2);
            assertThat(meters.get("distributed.lock.acquire").tag("result", "not_acquired").timer().count())
                    .isEqualTo(1);
            assertThat(meters.get("distributed.lock.held").timer().count()).isEqualTo(2);
            assertThat(meters.get("distributed.lock.unlock").tag("status", "success").counter().count())
                    .isEqualTo(2.0);
            assertThat(meters.get("distributed.lock.active").tag("store", "in-memory").gauge().value()).isZero();
        });
    }

    @Test
    void theKeyPrefixDefaultsToTheApplicationName() {
        runner.run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.namespace().keyFor("r")).isEqualTo("billing:r");
        });
        runner.withPropertyValues("distributed-lock.key-prefix=none").run(context ->
                assertThat(context.getBean(DistributedLockClient.class).namespace().keyFor("r")).isEqualTo("r"));
    }

    @Test
    void protectedPackagePrivateAndDefaultMethodsAreLockedThroughAClassProxy() {
        runner.withBean(Visibilities.class).run(context -> {
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            Visibilities bean = context.getBean(Visibilities.class);
            holdResource(client, "protected");
            holdResource(client, "package-private");
            holdResource(client, "default");
            assertThatThrownBy(bean::protectedRun).isInstanceOf(LockNotAcquiredException.class);
            assertThatThrownBy(bean::packagePrivateRun).isInstanceOf(LockNotAcquiredException.class);
            assertThatThrownBy(bean::defaultRun).isInstanceOf(LockNotAcquiredException.class);
        });
    }

    @Test
    void aFinalMethodIsLockedThroughItsInterfaceWhenTheBeanIsAJdkProxy() {
        runner.withUserConfiguration(InterfaceProxied.class).run(context -> {
            assertThat(context).hasNotFailed();
            holdResource(context.getBean(DistributedLockClient.class), "report:7");
            assertThatThrownBy(() -> context.getBean(Reports.class).report("7"))
                    .isInstanceOf(LockNotAcquiredException.class);
        });
    }

    static String holdResource(DistributedLockClient client, String resourceId) {
        String owner = "test-holder-" + System.nanoTime();
        assertThat(client.tryLock(new TryLockRequest("", resourceId, owner, 60)).success()).isTrue();
        return owner;
    }

    static boolean tryResource(DistributedLockClient client, String resourceId) {
        return client.tryLock(new TryLockRequest("", resourceId, "probe-" + System.nanoTime(), 60)).success();
    }

    /**
     * The in-memory store with two failure modes of a networked client: it refuses to work on an interrupted thread,
     * and it can lose the reply of a TryLock that it applied.
     */
    static final class NetworkLikeStore implements LockStore {

        final InMemoryLockStore locks = new InMemoryLockStore();
        final AtomicBoolean loseNextTryLockReply = new AtomicBoolean();

        @Override
        public boolean tryLock(String key, String owner, int expireSeconds) {
            refuseIfInterrupted();
            boolean taken = locks.tryLock(key, owner, expireSeconds);
            if (loseNextTryLockReply.getAndSet(false)) {
                throw new IllegalStateException("reply lost after the TryLock was applied (taken=" + taken + ")");
            }
            return taken;
        }

        @Override
        public LockStatus unlock(String key, String owner) {
            refuseIfInterrupted();
            return locks.unlock(key, owner);
        }

        @Override
        public LockStatus keepAlive(String key, String owner, int expireSeconds) {
            refuseIfInterrupted();
            return locks.keepAlive(key, owner, expireSeconds);
        }

        private static void refuseIfInterrupted() {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("the thread is interrupted");
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Services {
        @Bean
        OrderService orderService() {
            return new OrderService();
        }
    }

    public record Order(String id) {
    }

    public static class OrderService {

        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();

        // Read through methods: the bean is a class proxy whose own fields are unused.
        public int runs() {
            return runs.get();
        }

        public int maxInside() {
            return maxInside.get();
        }

        @DistributedLock(key = "'order:' + #orderId", waitTime = "60s")
        public void pay(String orderId) {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            // Stay inside long enough that a second caller let in by a broken lock would be seen here.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            inside.decrementAndGet();
            runs.incrementAndGet();
        }

        @DistributedLock(key = "'order:' + #orderId")
        public String payOnce(String orderId) {
            runs.incrementAndGet();
            return "paid " + orderId;
        }

        @DistributedLock(key = "'order:' + #p0", onFailure = OnFailure.SKIP)
        public String skipString(String orderId) {
            runs.incrementAndGet();
            return "ran " + orderId;
        }

        @DistributedLock(key = "'order:' + #a0", onFailure = OnFailure.SKIP)
        public Optional<String> skipOptional(String orderId) {
            runs.incrementAndGet();
            return Optional.of(orderId);
        }

        @DistributedLock(key = "'order:' + #orderId", onFailure = OnFailure.SKIP)
        public void skipVoid(String orderId) {
            runs.incrementAndGet();
        }

        @DistributedLock("'order:' + #orderId")
        public void fail(String orderId) {
            throw new IllegalStateException("payment declined");
        }

        @DistributedLock(key = "'order:' + #orderId")
        public void interruptSelf(String orderId) {
            Thread.currentThread().interrupt();
        }

        @DistributedLock(key = "#order.id + '-' + #root.method.name")
        public void nested(Order order) {
        }

        @DistributedLock
        public void defaultKey() {
        }

        /** Holds a 1s lease, not renewed, for 1.5s; {@code meanwhile} runs once the lease is over. */
        @DistributedLock(key = "'slow:' + #orderId", expire = "1s", renewal = false)
        public void overrun(String orderId, Runnable meanwhile) throws InterruptedException {
            Thread.sleep(1300);
            meanwhile.run();
            Thread.sleep(200);
        }
    }

    public interface DefaultRun {
        @DistributedLock(key = "'default'")
        default void defaultRun() {
        }
    }

    public static class Visibilities implements DefaultRun {
        @DistributedLock(key = "'protected'")
        protected void protectedRun() {
        }

        @DistributedLock(key = "'package-private'")
        void packagePrivateRun() {
        }
    }

    public interface Reports {
        @DistributedLock(key = "'report:' + #id")
        String report(String id);
    }

    public static class FinalReports implements Reports {
        @Override
        public final String report(String id) {
            return id;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InterfaceProxied {
        @Bean
        @Proxyable(ProxyType.INTERFACES)
        FinalReports finalReports() {
            return new FinalReports();
        }
    }
}
