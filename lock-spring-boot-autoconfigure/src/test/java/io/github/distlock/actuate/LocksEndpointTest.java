package io.github.distlock.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code locks} endpoint: what it lists, and its force-release (off by default, only for this instance's locks). */
@Timeout(60)
class LocksEndpointTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class, LocksEndpointAutoConfiguration.class))
            .withUserConfiguration(AuditCapture.class)
            .withPropertyValues("distributed-lock.stores.orders.type=in-memory",
                    "management.endpoints.web.exposure.include=locks");

    @Test
    void listsAHeldLockWithItsFieldsAndNotAReleasedOne() {
        runner.run(context -> {
            LocksEndpoint endpoint = context.getBean(LocksEndpoint.class);
            LockTemplate locks = context.getBean(LockTemplate.class);
            LockHandle released = locks.acquire("order:1", LockOptions.tryOnce());
            released.release();
            try (LockHandle held = locks.acquire("order:2", LockOptions.builder().expire(Duration.ofSeconds(20))
                    .build())) {
                assertThat(held.renew()).isEqualTo(LockStatus.SUCCESS);
                List<LocksEndpoint.LockDescriptor> listed = endpoint.locks().locks();
                assertThat(listed).hasSize(1);
                LocksEndpoint.LockDescriptor lock = listed.get(0);
                assertThat(lock.store()).isEqualTo("orders");
                assertThat(lock.key()).isEqualTo("order:2");
                assertThat(lock.owner()).isEqualTo(held.owner());
                assertThat(lock.source()).isEqualTo("template");
                assertThat(lock.acquiredAt()).isEqualTo(held.acquiredAt());
                assertThat(lock.expireSeconds()).isEqualTo(20);
                assertThat(lock.leaseRemainingMillis()).isBetween(1L, 20_000L);
                assertThat(lock.renewals()).isEqualTo(1);
                assertThat(lock.holdCount()).isEqualTo(1);
                assertThat(lock.fencingToken()).isEqualTo(held.fencingToken().getAsLong()).isPositive();
                assertThat(lock.held()).isTrue();
            }
            assertThat(endpoint.locks().locks()).isEmpty();
        });
    }

    @Test
    void forceReleaseIsOffByDefaultAndLeavesTheLockHeld() {
        runner.run(context -> {
            LocksEndpoint endpoint = context.getBean(LocksEndpoint.class);
            try (LockHandle held = context.getBean(LockTemplate.class).acquire("order:3", LockOptions.tryOnce())) {
                WebEndpointResponse<LocksEndpoint.ForceReleaseDescriptor> answer = endpoint
                        .forceRelease(SecurityContext.NONE, held.owner());
                assertThat(answer.getStatus()).isEqualTo(403);
                assertThat(answer.getBody().message()).contains("management.endpoint.locks.force-release.enabled");
                assertThat(answer.getBody().status()).as("no Unlock sent").isNull();
                assertThat(held.isHeld()).isTrue();
                assertThat(otherOwnerCanTake(context.getBean(DistributedLockClient.class), "order:3")).isFalse();
                assertThat(context.getBean(AuditCapture.class).events).singleElement()
                        .satisfies(event -> assertThat(event.getAuditEvent().getType())
                                .isEqualTo(LocksEndpoint.FORCE_RELEASE_REFUSED));
            }
        });
    }

    @Test
    void forceReleaseReleasesALockOfThisInstanceAndItsHolderSeesTheLoss() {
        runner.withPropertyValues("management.endpoint.locks.force-release.enabled=true").run(context -> {
            LocksEndpoint endpoint = context.getBean(LocksEndpoint.class);
            LockTemplate locks = context.getBean(LockTemplate.class);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch forced = new CountDownLatch(1);
            LockOptions throwOnLoss = LockOptions.builder().onLockLost(OnLockLost.THROW).build();
            CompletableFuture<String> holder = CompletableFuture.supplyAsync(() -> locks.executeLocked("order:4",
                    throwOnLoss, lock -> {
                        entered.countDown();
                        awaitOpen(forced);
                        return "held: " + lock.isHeld();
                    }));
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            String owner = endpoint.locks().locks().get(0).owner();

            WebEndpointResponse<LocksEndpoint.ForceReleaseDescriptor> answer = endpoint.forceRelease(
                    SecurityContext.NONE, owner);
            assertThat(answer.getStatus()).isEqualTo(200);
            assertThat(answer.getBody().status()).isEqualTo("SUCCESS");
            assertThat(answer.getBody().key()).isEqualTo("order:4");
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(otherOwnerCanTake(client, "order:4")).as("the store released it").isTrue();
            assertThat(endpoint.locks().locks()).singleElement()
                    .satisfies(lock -> assertThat(lock.held()).as("listed as lost while its holder runs").isFalse());
            forced.countDown();

            assertThatThrownBy(() -> holder.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(LockLostException.class)
                    .satisfies(e -> assertThat(((LockLostException) e).getLossCause())
                            .isEqualTo(LockLossCause.FORCE_RELEASED));
            AuditCapture audit = context.getBean(AuditCapture.class);
            assertThat(audit.events).singleElement().satisfies(event -> {
                assertThat(event.getAuditEvent().getType()).isEqualTo(LocksEndpoint.FORCE_RELEASED);
                assertThat(event.getAuditEvent().getPrincipal()).isEqualTo("anonymous");
                assertThat(event.getAuditEvent().getData()).containsEntry("key", "order:4")
                        .containsEntry("owner", owner).containsEntry("outcome", "SUCCESS");
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(audit.losses).singleElement()
                            .satisfies(loss -> assertThat(loss.cause()).isEqualTo(LockLossCause.FORCE_RELEASED)));
            assertThat(endpoint.locks().locks()).isEmpty();
        });
    }

    @Test
    void forceReleaseReleasesNothingThisInstanceDoesNotHold() {
        runner.withPropertyValues("management.endpoint.locks.force-release.enabled=true").run(context -> {
            LocksEndpoint endpoint = context.getBean(LocksEndpoint.class);
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            // Another instance's lock (over the Lock API, as a peer would hold it): its owner is not one of ours.
            assertThat(client.tryLock(new TryLockRequest("orders", "order:5", "peer-owner", 30)).success()).isTrue();
            try (LockHandle ours = context.getBean(LockTemplate.class).acquire("order:6", LockOptions.tryOnce())) {
                WebEndpointResponse<LocksEndpoint.ForceReleaseDescriptor> answer = endpoint
                        .forceRelease(SecurityContext.NONE, "peer-owner");
                assertThat(answer.getStatus()).isEqualTo(404);
                assertThat(answer.getBody().message()).contains("holds no lock of owner 'peer-owner'");
                assertThat(otherOwnerCanTake(client, "order:5")).as("the peer still holds it").isFalse();
                assertThat(ours.isHeld()).isTrue();
            }
            assertThat(client.unlock(new UnlockRequest("orders", "order:5", "peer-owner")).status())
                    .isEqualTo(LockStatus.SUCCESS);
        });
    }

    @Test
    void noEndpointWhenItIsNotExposed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class, LocksEndpointAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LocksEndpoint.class));
    }

    private static void awaitOpen(CountDownLatch latch) {
        try {
            assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted: " + e.getMessage(), e);
        }
    }

    private static boolean otherOwnerCanTake(DistributedLockClient client, String resourceId) {
        boolean taken = client.tryLock(new TryLockRequest("orders", resourceId, "probe", 30)).success();
        if (taken) {
            client.unlock(new UnlockRequest("orders", resourceId, "probe"));
        }
        return taken;
    }

    @Configuration(proxyBeanMethods = false)
    static class AuditCapture {

        final List<AuditApplicationEvent> events = new CopyOnWriteArrayList<>();
        final List<LockLostEvent> losses = new CopyOnWriteArrayList<>();

        @Bean
        ApplicationListener<AuditApplicationEvent> auditListener() {
            return events::add;
        }

        @Bean
        ApplicationListener<org.springframework.context.PayloadApplicationEvent<LockLostEvent>> lossListener() {
            return event -> losses.add(event.getPayload());
        }
    }
}
