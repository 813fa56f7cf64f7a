package io.github.distlock.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockObservationContext;
import io.github.distlock.metrics.LockObservationDocumentation;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The acquire and hold observations of {@link LockTemplate} and {@code @DistributedLock}: names, tags, and their place
 * under the caller's observation.
 */
@Timeout(60)
class LockObservationTest {

    private static final String ACQUIRE = LockObservationDocumentation.ACQUIRE_NAME;
    private static final String HOLD = LockObservationDocumentation.HOLD_NAME;

    private final TestObservationRegistry registry = TestObservationRegistry.create();
    /** The observation current on the store's thread at each TryLock. */
    private final List<Observation> currentAtTryLock = new CopyOnWriteArrayList<>();
    private final CountingLockStore orders = new CountingLockStore(new InMemoryLockStore()) {
        @Override
        public boolean tryLock(String key, String owner, int expireSeconds) {
            currentAtTryLock.add(registry.getCurrentObservation());
            return super.tryLock(key, owner, expireSeconds);
        }
    };
    private final DistributedLockClient client = new DistributedLockClient(stores(), "orders",
            LockKeyNamespace.of(""));
    private final LockTemplate locks = new LockTemplate(client, new LockRecorders(LockMetrics.NOOP, registry, null,
            null), Duration.ofSeconds(30));

    private Map<String, LockStore> stores() {
        Map<String, LockStore> stores = new LinkedHashMap<>();
        stores.put("orders", orders);
        return stores;
    }

    @Test
    void aTemplateCallIsAnAcquireAndAHoldUnderTheCallersObservation() {
        Observation caller = Observation.start("checkout", registry);
        Observation[] currentInCallback = new Observation[1];
        try (Observation.Scope scope = caller.openScope()) {
            locks.executeLocked("order:1", LockOptions.tryOnce(), lock -> {
                currentInCallback[0] = registry.getCurrentObservation();
                return null;
            });
            assertThat(registry.getCurrentObservation()).as("the caller's again").isSameAs(caller);
        }
        caller.stop();

        assertThat(registry).hasNumberOfObservationsWithNameEqualTo(ACQUIRE, 1)
                .hasNumberOfObservationsWithNameEqualTo(HOLD, 1);
        assertThat(registry).hasObservationWithNameEqualTo(ACQUIRE).that().hasBeenStarted().hasBeenStopped()
                .hasContextualNameEqualTo("lock acquire")
                .hasLowCardinalityKeyValue("store", "orders").hasLowCardinalityKeyValue("source", "template")
                .hasLowCardinalityKeyValue("result", "acquired").hasHighCardinalityKeyValue("key", "order:1")
                .hasParentObservationEqualTo(caller).doesNotHaveError();
        assertThat(registry).hasObservationWithNameEqualTo(HOLD).that().hasBeenStarted().hasBeenStopped()
                .hasContextualNameEqualTo("lock hold")
                .hasLowCardinalityKeyValue("store", "orders").hasLowCardinalityKeyValue("source", "template")
                .hasLowCardinalityKeyValue("result", "released").hasHighCardinalityKeyValue("key", "order:1")
                .doesNotHaveHighCardinalityKeyValueWithKey("fencing.token") // a store without fencing tokens
                .hasParentObservationEqualTo(caller);

        assertThat(currentAtTryLock).as("store calls run under the acquire").singleElement()
                .satisfies(current -> assertThat(current.getContext().getName()).isEqualTo(ACQUIRE));
        assertThat(currentInCallback[0].getContext().getName()).as("the locked work runs under the hold")
                .isEqualTo(HOLD);
        assertThat(currentInCallback[0].getContext().getParentObservation()).isSameAs(caller);
    }

    @Test
    void aCallThatDoesNotAcquireIsAnAcquireWithResultNotAcquiredAndNoHold() {
        assertThat(client.tryLock(new TryLockRequest("orders", "order:2", "another-owner", 30)).success()).isTrue();
        assertThat(locks.tryAcquire("order:2", LockOptions.waitFor(Duration.ofMillis(50)))).isEmpty();

        assertThat(registry).hasNumberOfObservationsWithNameEqualTo(ACQUIRE, 1)
                .hasNumberOfObservationsWithNameEqualTo(HOLD, 0);
        assertThat(registry).hasObservationWithNameEqualTo(ACQUIRE).that().hasBeenStopped()
                .hasLowCardinalityKeyValue("result", "not_acquired").hasHighCardinalityKeyValue("key", "order:2")
                .doesNotHaveParentObservation();
    }

    @Test
    void aHoldLostWhileHeldEndsLostWithALostEvent() {
        LockHandle handle = locks.acquire("order:3", LockOptions.tryOnce());
        ((TemplateLockHandle) handle).watch.lose(LockLossCause.STORE_REPORTED, "the test says so");
        handle.close();

        assertThat(registry).hasObservationWithNameEqualTo(HOLD).that().hasBeenStopped()
                .hasLowCardinalityKeyValue("result", "lost")
                .hasEvent(LockObservationDocumentation.LOST_EVENT.getName());
    }

    @Test
    void aStoreFailureEndsTheHoldWithResultError() {
        LockHandle handle = locks.acquire("order:4", LockOptions.tryOnce());
        orders.failNextUnlock.set(true);
        handle.close();

        assertThat(registry).hasObservationWithNameEqualTo(HOLD).that().hasBeenStopped()
                .hasLowCardinalityKeyValue("result", "error");
    }

    @Test
    void anUnknownStoreIsNotObserved() {
        assertThatThrownBy(() -> locks.acquire("order:5", LockOptions.inStore("nope")))
                .isInstanceOf(InvalidLockRequestException.class);
        assertThat(registry).doesNotHaveAnyObservation();
    }

    @Test
    void anAnnotatedCallIsAnAcquireAndAHoldWithSourceAnnotationUnderTheCallersObservation() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class))
                .withPropertyValues("distributed-lock.stores.orders.type=in-memory")
                .withBean(ObservationRegistry.class, () -> registry).withBean(Payments.class)
                .run(context -> {
                    Payments payments = context.getBean(Payments.class);
                    Observation caller = Observation.start("http.server.requests", registry);
                    String current;
                    try (Observation.Scope scope = caller.openScope()) {
                        current = payments.pay("7");
                    }
                    caller.stop();
                    assertThat(current).isEqualTo(HOLD);
                    assertThat(registry).hasObservationWithNameEqualTo(ACQUIRE).that()
                            .hasLowCardinalityKeyValue("source", "annotation")
                            .hasLowCardinalityKeyValue("result", "acquired")
                            .hasHighCardinalityKeyValue("key", "payment:7").hasParentObservationEqualTo(caller);
                    assertThat(registry).hasObservationWithNameEqualTo(HOLD).that()
                            .hasLowCardinalityKeyValue("source", "annotation")
                            .hasLowCardinalityKeyValue("result", "released")
                            .hasHighCardinalityKeyValue("key", "payment:7")
                            .hasHighCardinalityKeyValueWithKey("fencing.token") // the in-memory store's
                            .hasParentObservationEqualTo(caller);
                    assertThat(registry).hasHandledContextsThatSatisfy(contexts -> assertThat(contexts)
                            .filteredOn(LockObservationContext.class::isInstance).hasSize(2));
                });
    }

    @Test
    void springBootsObservationSupportSeesBothAndItsPropertySwitchesThemOff() {
        List<String> observed = new CopyOnWriteArrayList<>();
        ApplicationContextRunner boot = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
                        DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class))
                .withBean(ObservationHandler.class, () -> new ObservationHandler<>() {
                    @Override
                    public boolean supportsContext(Observation.Context context) {
                        return true;
                    }

                    @Override
                    public void onStop(Observation.Context context) {
                        observed.add(context.getName());
                    }
                });
        boot.run(context -> {
            context.getBean(LockTemplate.class).executeLocked("order:8", LockOptions.tryOnce(), () -> {
            });
            assertThat(observed).containsExactly(ACQUIRE, HOLD);
        });
        observed.clear();
        boot.withPropertyValues("management.observations.enable.distributed.lock=false").run(context -> {
            context.getBean(LockTemplate.class).executeLocked("order:8", LockOptions.tryOnce(), () -> {
            });
            assertThat(observed).isEmpty();
        });
    }

    /** An annotated bean; returns the name of the observation current while it runs. */
    static class Payments {

        private final ObservationRegistry registry;

        Payments(ObservationRegistry registry) {
            this.registry = registry;
        }

        @DistributedLock(key = "'payment:' + #id")
        public String pay(String id) {
            Observation current = registry.getCurrentObservation();
            return current == null ? null : current.getContext().getName();
        }
    }
}
