package io.github.distlock.core;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.api.*;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistributedLockClientTest {

    private final InMemoryLockStore orders = new InMemoryLockStore();
    private final InMemoryLockStore jobs = new InMemoryLockStore();
    private final DistributedLockClient client = new DistributedLockClient(stores(), "orders",
            LockKeyNamespace.of("billing"));

    private Map<String, LockStore> stores() {
        Map<String, LockStore> stores = new LinkedHashMap<>();
        stores.put("orders", orders);
        stores.put("jobs", jobs);
        return stores;
    }

    @Test
    void routesToTheNamedStoreAndDefaultsToTheDefaultStore() {
        assertThat(client.tryLock(new TryLockRequest("jobs", "r", "o1", 10)).success()).isTrue();
        assertThat(jobs.size()).isEqualTo(1);
        assertThat(client.tryLock(new TryLockRequest("", "r", "o2", 10)).success()).isTrue();
        assertThat(orders.size()).isEqualTo(1);
        assertThat(client.unlock(new UnlockRequest("jobs", "r", "o2")).status())
                .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(client.keepAlive(new LockKeepAliveRequest("jobs", "r", "o1", 20)).status())
                .isEqualTo(LockStatus.SUCCESS);
        assertThat(client.unlock(new UnlockRequest("jobs", "r", "o1")).status()).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aNullEmptyOrBlankStoreNameMeansTheDefaultStoreAndNamesAreStripped() {
        for (String store : new String[] {null, "", " ", "\t \n"}) {
            assertThat(client.resolveStoreName(store)).as("[%s]", store).isEqualTo("orders");
            assertThat(client.tryLock(new TryLockRequest(store, "blank", "o", 10)).success()).as("[%s]", store)
                    .isTrue();
            assertThat(client.unlock(new UnlockRequest(store, "blank", "o")).status()).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(client.resolveStoreName(" jobs ")).isEqualTo("jobs");
        assertThat(client.tryLock(new TryLockRequest(" jobs ", "stripped", "o", 10)).success()).isTrue();
        assertThat(jobs.size()).isEqualTo(1);
    }

    @Test
    void appliesTheKeyPrefix() {
        assertThat(client.tryLock(new TryLockRequest("orders", "order-1", "o", 10)).success()).isTrue();
        assertThat(orders.tryLock("billing:order-1", "other", 10)).as("stored under the prefixed key").isFalse();
    }

    @Test
    void rejectsInvalidRequestsNamingTheField() {
        assertThatThrownBy(() -> client.tryLock(new TryLockRequest("orders", " ", "o", 10)))
                .isInstanceOf(InvalidLockRequestException.class).hasMessageContaining("resource_id")
                .extracting("field").isEqualTo("resource_id");
        assertThatThrownBy(() -> client.tryLock(new TryLockRequest("orders", "r", "", 10)))
                .isInstanceOf(InvalidLockRequestException.class).hasMessageContaining("lock_owner");
        assertThatThrownBy(() -> client.tryLock(new TryLockRequest("orders", "r", "o", 0)))
                .isInstanceOf(InvalidLockRequestException.class).hasMessageContaining("expire");
        assertThatThrownBy(() -> client.keepAlive(new LockKeepAliveRequest("orders", "r", "o", -1)))
                .isInstanceOf(InvalidLockRequestException.class).hasMessageContaining("expire");
        assertThatThrownBy(() -> client.unlock(new UnlockRequest("orders", null, "o")))
                .isInstanceOf(InvalidLockRequestException.class).hasMessageContaining("resource_id");
        assertThatThrownBy(() -> client.unlock(new UnlockRequest("payments", "r", "o")))
                .isInstanceOf(UnknownLockStoreException.class)
                .hasMessageContaining("payments").hasMessageContaining("[orders, jobs]");
    }

    @Test
    void storeFailuresSurfaceAsLockStoreExceptionNamingTheStore() {
        LockStore broken = new LockStore() {
            @Override
            public boolean tryLock(String key, String owner, int expireSeconds) {
                throw new IllegalStateException("connection refused");
            }

            @Override
            public LockStatus unlock(String key, String owner) {
                throw new IllegalStateException("connection refused");
            }

            @Override
            public LockStatus keepAlive(String key, String owner, int expireSeconds) {
                return null;
            }
        };
        DistributedLockClient failing = new DistributedLockClient(Map.of("down", broken), "down",
                LockKeyNamespace.none());
        assertThatThrownBy(() -> failing.tryLock(new TryLockRequest("down", "r", "o", 5)))
                .isInstanceOf(LockStoreException.class).hasMessageContaining("'down'")
                .hasMessageContaining("connection refused").extracting("storeName").isEqualTo("down");
        assertThatThrownBy(() -> failing.unlock(new UnlockRequest("down", "r", "o")))
                .isInstanceOf(LockStoreException.class);
        assertThatThrownBy(() -> failing.keepAlive(new LockKeepAliveRequest("down", "r", "o", 5)))
                .isInstanceOf(LockStoreException.class).hasMessageContaining("no status");
    }

    @Test
    void aClientWithoutStoresSaysSo() {
        DistributedLockClient empty = new DistributedLockClient(Map.of(), null, LockKeyNamespace.none());
        assertThatThrownBy(() -> empty.tryLock(new TryLockRequest("", "r", "o", 5)))
                .isInstanceOf(LockStoreNotConfiguredException.class);
    }
}
