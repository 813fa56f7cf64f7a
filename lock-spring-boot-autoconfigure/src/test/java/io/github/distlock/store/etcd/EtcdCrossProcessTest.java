package io.github.distlock.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** Locks between processes through etcd: a holder killed with SIGKILL, and exclusion between two JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdCrossProcessTest {

    private String endpoint;
    private EtcdLockStore store;

    @BeforeAll
    void connect() {
        endpoint = EtcdTestServer.shared().endpoint();
        store = EtcdTestStores.store(endpoint);
    }

    @AfterAll
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aLockOfAHolderKilledWithSigkillIsFreeAfterItsExpire() throws Exception {
        String key = "killed-holder-" + UUID.randomUUID();
        int expire = 3; // above etcd's 2 s minimum TTL, so the lease is granted for exactly expire
        ByteSequence etcdKey = ByteSequence.from(EtcdTestStores.NAMESPACE + key, StandardCharsets.UTF_8);
        AtomicLong heldSeenAt = new AtomicLong();
        AtomicLong leaseId = new AtomicLong();
        try (Client inspector = EtcdTestStores.client(List.of(endpoint), EtcdTestStores.REQUEST_TIMEOUT)) {
            // Watch from the next revision, so the child's put is reported even if the watch starts late.
            long revision = inspector.getKVClient().get(etcdKey).get(5, TimeUnit.SECONDS).getHeader().getRevision();
            Consumer<WatchResponse> onEvents = response -> response.getEvents().stream()
                    .filter(event -> event.getEventType() == WatchEvent.EventType.PUT).findFirst()
                    .ifPresent(put -> {
                        if (heldSeenAt.compareAndSet(0, System.nanoTime())) {
                            leaseId.set(put.getKeyValue().getLease());
                        }
                    });
            try (Watch.Watcher watcher = inspector.getWatchClient().watch(etcdKey,
                    WatchOption.builder().withRevision(revision + 1).build(), onEvents)) {
                Process holder = ChildJvm.holdLock(EtcdChildStoreFactory.class, endpoint, key, expire);
                ChildJvm.kill9(holder);
                assertThat(store.tryLock(key, "survivor", 60)).as("still held right after the kill").isFalse();
                long watchDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (heldSeenAt.get() == 0 && System.nanoTime() < watchDeadline) {
                    Thread.sleep(5);
                }
                assertThat(heldSeenAt).as("the child's put seen by the watch").doesNotHaveValue(0);
                assertThat(inspector.getLeaseClient().timeToLive(leaseId.get(), LeaseOption.DEFAULT)
                        .get(5, TimeUnit.SECONDS).getGrantedTTL()).as("TTL of the holder's lease").isEqualTo(expire);
            }
        }
        long deadline = heldSeenAt.get() + TimeUnit.SECONDS.toNanos(expire + 5);
        long acquiredAt = 0;
        while (acquiredAt == 0 && System.nanoTime() < deadline) {
            if (store.tryLock(key, "survivor", 60)) {
                acquiredAt = System.nanoTime();
            } else {
                Thread.sleep(20);
            }
        }
        assertThat(acquiredAt).as("taken over after the holder died").isNotZero();
        // The lease's countdown began at the child's grant, a few ms before its put (the child is warmed up, so the
        // two follow each other closely), and the watch saw the put a moment after it. So from heldSeenAt the lock
        // lasts expire less those few ms (250 ms allowed for a loaded machine), and etcd frees it at most 500 ms
        // (its expiry check) after the lease ends. A lock freed a second early (a lease of expire - 1, say) is taken
        // within 2.6 s of the put and fails the lower bound, as it did when tried.
        Duration heldFor = Duration.ofNanos(acquiredAt - heldSeenAt.get());
        assertThat(heldFor).as("held from the child's put to the takeover")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(expire).minusMillis(250))
                .isLessThanOrEqualTo(Duration.ofSeconds(expire + 1));
        assertThat(store.unlock(key, "survivor")).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void twoJvmsOfEightThreadsEachNeverHoldAKeyAtOnce() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(EtcdChildStoreFactory.class, endpoint, 2, 8, 150,
                Duration.ofSeconds(15), 3);
        assertThat(result.grants()).as("grants\n%s", result.output()).isGreaterThan(50);
        assertThat(result.counted()).as("counted increments: fewer means two holders overlapped\n%s",
                result.output()).isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).as("unlocks of a held lock that failed").isZero();
    }
}
