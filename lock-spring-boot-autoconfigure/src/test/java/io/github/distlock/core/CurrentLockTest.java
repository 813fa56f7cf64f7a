package io.github.distlock.core;

import java.util.Map;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CurrentLock}: the locks of the running callbacks, innermost first. */
class CurrentLockTest {

    private final LockTemplate locks = new LockTemplate(new DistributedLockClient(
            Map.of("main", new InMemoryLockStore()), "main", LockKeyNamespace.of("app")));

    @Test
    void theCallbacksLockIsCurrentOnlyWhileItRuns() {
        assertThat(CurrentLock.get()).isEmpty();
        LockHandle seen = locks.executeLocked("order:1", LockOptions.tryOnce(), lock -> {
            LockHandle current = CurrentLock.get().orElseThrow();
            assertThat(current).isSameAs(lock);
            assertThat(current.resourceId()).isEqualTo("order:1");
            assertThat(current.storeName()).isEqualTo("main");
            assertThat(current.owner()).isNotBlank();
            return current;
        });
        assertThat(seen.isHeld()).isFalse();
        assertThat(CurrentLock.get()).isEmpty();
    }

    @Test
    void nestedLocksStackAndUnwindInOrderAlsoWhenACallbackThrows() {
        locks.executeLocked("a", LockOptions.tryOnce(), outer -> {
            locks.executeLocked("b", LockOptions.tryOnce(), inner -> {
                assertThat(CurrentLock.get()).containsSame(inner);
                assertThat(CurrentLock.find("main", "a")).containsSame(outer);
                assertThat(CurrentLock.find("main", "b")).containsSame(inner);
                assertThat(CurrentLock.find("other", "a")).isEmpty();
                assertThat(CurrentLock.find("main", "c")).isEmpty();
                return null;
            });
            assertThat(CurrentLock.get()).containsSame(outer);
            assertThat(CurrentLock.find("main", "b")).isEmpty();

            assertThatThrownBy(() -> locks.executeLocked("c", LockOptions.tryOnce(), inner -> {
                assertThat(CurrentLock.get()).containsSame(inner);
                throw new IllegalStateException("inner failed");
            })).hasMessage("inner failed");
            assertThat(CurrentLock.get()).containsSame(outer);
            assertThat(CurrentLock.find("main", "c")).isEmpty();
            return null;
        });
        assertThat(CurrentLock.get()).isEmpty();
    }

    @Test
    void handlesTakenWithAcquireAreNotCurrent() {
        try (LockHandle lock = locks.acquire("order:2", LockOptions.tryOnce())) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(CurrentLock.get()).isEmpty();
        }
    }

    @Test
    void eachThreadSeesItsOwnLocks() throws Exception {
        locks.executeLocked("order:3", LockOptions.tryOnce(), lock -> {
            Thread other = new Thread(() -> assertThat(CurrentLock.get()).isEmpty());
            Throwable[] failure = new Throwable[1];
            other.setUncaughtExceptionHandler((thread, e) -> failure[0] = e);
            other.start();
            other.join(5_000);
            assertThat(failure[0]).isNull();
            return null;
        });
    }
}
