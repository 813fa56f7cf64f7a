package io.github.distlock.testsupport;

import java.time.Duration;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the optional capability {@link FencedLockStore}: every grant of a key has a positive fencing token
 * larger than that of every earlier grant of the key, whether the earlier holder unlocked or its lease ran out and
 * another owner took over; a refused {@code tryLockFenced} answers {@link FencedLockStore#NOT_ACQUIRED}.
 *
 * The order is per key: tokens of different keys may come from one sequence or from separate ones, and the grants
 * of one key never break the order of another's. It also holds across a restart of the application: a new store
 * instance on the same server goes on from where the previous one left.
 *
 * <p>A store with this capability adds one class to its tests, next to its {@link AbstractLockStoreContractTest}:
 * <pre>{@code
 * class MyFencedLockStoreTest extends AbstractFencedLockStoreTest {
 *     protected FencedLockStore createStore() { return new MyLockStore(newClient(server)); }
 *     protected FencedLockStore createRestartedStore() { return new MyLockStore(newClient(server)); }
 * }
 * }</pre>
 */
public abstract class AbstractFencedLockStoreTest extends AbstractLockStoreTest<FencedLockStore> {

    /**
     * A new store on the same server as {@link #createStore()}'s, with a client of its own, as the application
     * builds after a restart; the suite closes it (when {@link AutoCloseable}) after use. A store whose locks live in
     * the instance (the in-memory store) returns {@link #store()}: its "server" restarts with the application.
     */
    protected abstract FencedLockStore createRestartedStore() throws Exception;

    @Test
    void tokensKeepGrowingAcrossARestartOfTheApplication() throws Exception {
        String key = uniqueKey("fenced-restart");
        String before = newOwner();
        long beforeRestart = store().tryLockFenced(key, before, LONG_EXPIRE);
        assertThat(beforeRestart).isPositive();
        assertThat(store().unlock(key, before)).isEqualTo(LockStatus.SUCCESS);
        FencedLockStore restarted = createRestartedStore();
        try {
            String after = newOwner();
            assertThat(restarted.tryLockFenced(key, after, LONG_EXPIRE)).as("token after the restart")
                    .isGreaterThan(beforeRestart);
            assertThat(restarted.unlock(key, after)).isEqualTo(LockStatus.SUCCESS);
        } finally {
            if (restarted != store() && restarted instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Test
    void grantsOfAnotherKeyDoNotBreakTheOrderOfAKey() {
        String first = uniqueKey("fenced-key-a");
        String second = uniqueKey("fenced-key-b");
        String holder = newOwner();
        long held = store().tryLockFenced(first, holder, LONG_EXPIRE);
        assertThat(held).isPositive();
        long previousOfSecond = 0;
        for (int grant = 0; grant < 5; grant++) {
            String owner = newOwner();
            long token = store().tryLockFenced(second, owner, LONG_EXPIRE);
            assertThat(token).as("token of grant %s of the second key", grant).isGreaterThan(previousOfSecond);
            assertThat(store().unlock(second, owner)).isEqualTo(LockStatus.SUCCESS);
            previousOfSecond = token;
        }
        assertThat(store().unlock(first, holder)).isEqualTo(LockStatus.SUCCESS);
        String next = newOwner();
        assertThat(store().tryLockFenced(first, next, LONG_EXPIRE)).as("next token of the first key")
                .isGreaterThan(held);
        assertThat(store().unlock(first, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aGrantHasAPositiveToken() {
        String key = uniqueKey("fenced-free");
        String owner = newOwner();
        assertThat(store().tryLockFenced(key, owner, LONG_EXPIRE)).isPositive();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aHeldKeyIsNotAcquiredForAnotherOwnerNorForItsHolder() {
        String key = uniqueKey("fenced-held");
        String owner = newOwner();
        assertThat(store().tryLockFenced(key, owner, LONG_EXPIRE)).isPositive();
        assertThat(store().tryLockFenced(key, newOwner(), LONG_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().tryLockFenced(key, owner, LONG_EXPIRE)).as("not reentrant")
                .isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void tokensOfSuccessiveGrantsOfAKeyStrictlyIncrease() {
        String key = uniqueKey("fenced-successive");
        long previous = 0;
        for (int grant = 0; grant < 5; grant++) {
            String owner = newOwner();
            long token = store().tryLockFenced(key, owner, LONG_EXPIRE);
            assertThat(token).as("token of grant %s", grant).isGreaterThan(previous);
            assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
            previous = token;
        }
    }

    @Test
    void aTakeoverAfterExpiryGetsALargerToken() throws Exception {
        String key = uniqueKey("fenced-takeover");
        String stale = newOwner();
        long first = store().tryLockFenced(key, stale, SHORT_EXPIRE);
        assertThat(first).isPositive();
        assertThat(store().tryLockFenced(key, newOwner(), SHORT_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        String next = newOwner();
        long[] second = {FencedLockStore.NOT_ACQUIRED};
        pollUntil(() -> (second[0] = store().tryLockFenced(key, next, LONG_EXPIRE)) != FencedLockStore.NOT_ACQUIRED,
                Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()).plusSeconds(2), "'" + key + "' taken over");
        assertThat(second[0]).as("token of the takeover").isGreaterThan(first);
        assertThat(store().keepAlive(key, next, LONG_EXPIRE)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(key, stale)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        String third = newOwner();
        assertThat(store().tryLockFenced(key, third, LONG_EXPIRE)).as("token after the takeover's unlock")
                .isGreaterThan(second[0]);
        assertThat(store().unlock(key, third)).isEqualTo(LockStatus.SUCCESS);
    }
}
