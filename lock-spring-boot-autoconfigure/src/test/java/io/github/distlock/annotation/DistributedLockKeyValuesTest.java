package io.github.distlock.annotation;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.distlock.annotation.DistributedLockAspectTest.holdResource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Key values that are not strings become resource ids by one rule: arrays and collections element by element joined
 * with {@code ,}, other values by Spring's conversion service; an identity string ({@code Object.toString()}) is
 * refused.
 */
class DistributedLockKeyValuesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withBean(Messages.class);

    @Test
    void twoCallsWithTheSameVarargsNeverOverlap() {
        runner.run(context -> {
            Messages messages = context.getBean(Messages.class);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Callable<Void> send = () -> {
                    messages.send("A-1", "A-2");
                    return null;
                };
                Future<?> first = pool.submit(send);
                Future<?> second = pool.submit(send);
                first.get(30, TimeUnit.SECONDS);
                second.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(messages.runs()).isEqualTo(2);
            assertThat(messages.maxInside()).as("calls inside send at once").isEqualTo(1);
        });
    }

    @Test
    void arraysAndCollectionsAreJoinedElementByElement() {
        runner.run(context -> {
            Messages messages = context.getBean(Messages.class);
            assertResourceId(context, "A-1,A-2", () -> messages.sendOnce("A-1", "A-2"));
            assertResourceId(context, "A-1,A-2", () -> messages.rootArgs("A-1", "A-2"));
            assertResourceId(context, "x,7", () -> messages.rootArgsOfTwo("x", 7));
            assertResourceId(context, "1,2,3", () -> messages.numbers(new int[] {1, 2, 3}));
            assertResourceId(context, "n:1,2,3", () -> messages.prefixedNumbers(new int[] {1, 2, 3}));
            assertResourceId(context, "a,b", () -> messages.batch(List.of("a", "b")));
            assertResourceId(context, "a,b,c", () -> messages.nested(List.of(List.of("a", "b"), new String[] {"c"})));
            assertResourceId(context, "Order[id=A-1],Order[id=A-2]",
                    () -> messages.orders(List.of(new Order("A-1"), new Order("A-2"))));
        });
    }

    @Test
    void valuesWithTheirOwnToStringOrAConverterWork() {
        runner.run(context -> {
            Messages messages = context.getBean(Messages.class);
            assertResourceId(context, "Order[id=A-1]", () -> messages.payload(new Order("A-1")));
            assertResourceId(context, "42", () -> messages.payload(42L));
            assertResourceId(context, "SECONDS", () -> messages.payload(TimeUnit.SECONDS));
        });
    }

    @Test
    void anIdentityStringIsRefusedAtTheFirstCallNamingMethodAndExpression() {
        runner.run(context -> {
            Messages messages = context.getBean(Messages.class);
            Object plain = new PlainPayload();
            assertRefused(() -> messages.payload(plain), "Messages.payload(Object)", "= \"#payload\"",
                    PlainPayload.class.getName());
            assertRefused(() -> messages.prefixedPayload(plain), "Messages.prefixedPayload(Object)",
                    "= \"'p:' + #payload\"");
            assertRefused(() -> messages.payload((Runnable) () -> { }), "Messages.payload(Object)", "Object.toString");
            assertRefused(() -> messages.payloads("A-1", plain), "Messages.payloads(Object[])", "= \"#root.args\"");
            assertRefused(() -> messages.batch(List.of("a", plain)), "Messages.batch(List)", "= \"#items\"");
            assertThat(messages.runs()).as("no refused call ran").isZero();
        });
    }

    @Test
    void aNullInAConcatenationIsTextButANullKeyOrARequireNonNullIsRefused() {
        runner.run(context -> {
            Messages messages = context.getBean(Messages.class);
            assertResourceId(context, "order:null", () -> messages.concatenated(null));
            assertRefused(() -> messages.alone(null), "Messages.alone(String)", "= \"#id\"", "null");
            assertRefused(() -> messages.required(null), "Messages.required(String)", "requireNonNull",
                    "NullPointerException: id");
            assertRefused(() -> messages.sendOnce(), "Messages.sendOnce(String[])", "blank");
            assertThat(messages.runs()).isZero();
        });
    }

    /** Holds {@code resourceId} and checks the call is refused for that exact resource id. */
    private static void assertResourceId(ApplicationContext context, String resourceId, Executable call) {
        DistributedLockClient client = context.getBean(DistributedLockClient.class);
        String owner = holdResource(client, resourceId);
        try {
            assertThatThrownBy(call::execute).isInstanceOf(LockNotAcquiredException.class)
                    .extracting("resourceId").isEqualTo(resourceId);
        } finally {
            client.unlock(new UnlockRequest("", resourceId, owner));
        }
    }

    private static void assertRefused(Executable call, String... fragments) {
        assertThatThrownBy(call::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@DistributedLock").hasMessageContaining("attribute 'key'")
                .hasMessageContainingAll(fragments);
    }

    public record Order(String id) {
    }

    /** No toString(): its string form is an identity hash, different for every object. */
    public static class PlainPayload {
    }

    public static class Messages {

        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final CountDownLatch bothInside = new CountDownLatch(2);

        public int runs() {
            return runs.get();
        }

        public int maxInside() {
            return maxInside.get();
        }

        @DistributedLock(key = "#ids", waitTime = "20s")
        public void send(String... ids) throws InterruptedException {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            // Give a second call time to come in: with a lock it cannot, and this wait runs out.
            bothInside.countDown();
            bothInside.await(500, TimeUnit.MILLISECONDS);
            inside.decrementAndGet();
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#ids")
        public void sendOnce(String... ids) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#root.args")
        public void rootArgs(String... ids) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#root.args")
        public void rootArgsOfTwo(String name, int count) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#numbers")
        public void numbers(int[] numbers) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "'n:' + #numbers")
        public void prefixedNumbers(int[] numbers) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#items")
        public void batch(List<?> items) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#items")
        public void nested(List<?> items) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#orders")
        public void orders(List<Order> orders) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#payload")
        public void payload(Object payload) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "'p:' + #payload")
        public void prefixedPayload(Object payload) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#root.args")
        public void payloads(Object... payloads) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "'order:' + #id")
        public void concatenated(String id) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "#id")
        public void alone(String id) {
            runs.incrementAndGet();
        }

        @DistributedLock(key = "'order:' + T(java.util.Objects).requireNonNull(#id, 'id')")
        public void required(String id) {
            runs.incrementAndGet();
        }
    }
}
