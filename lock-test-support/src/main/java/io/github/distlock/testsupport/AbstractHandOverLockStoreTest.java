package io.github.distlock.testsupport;

import java.time.Duration;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the optional capability {@link HandOverLockStore}: a hand-over by the holder moves the lock to the
 * next owner in one step (the old owner's Unlock then answers {@code LOCK_BELONG_TO_OTHERS}, the new owner's
 * {@code SUCCESS}), with a fencing token larger than the holder's, and the next owner's lease; a hand-over by anyone
 * but the holder (no lock, another owner, a lease that ran out) answers {@link FencedLockStore#NOT_ACQUIRED} and
 * changes nothing. While a contender waits (its TryLock failed), a hand-over either hands over as above or, when the
 * contender came through another store instance ({@link #createPeerStore()}, another application) and the store
 * yields to such contenders, answers {@link HandOverLockStore#RELEASED} having released the key as Unlock does.
 *
 * <p>A store with this capability adds one class to its tests:
 * <pre>{@code
 * class MyHandOverLockStoreTest extends AbstractHandOverLockStoreTest {
 *     protected HandOverLockStore createStore() { return new MyLockStore(newClient(server)); }
 * }
 * }</pre>
 */
public abstract class AbstractHandOverLockStoreTest extends AbstractLockStoreTest<HandOverLockStore> {

    @Test
    void aHandOverMovesTheLockToTheNextOwnerWithALargerToken() {
        String key = uniqueKey("handover-moves");
        String owner = newOwner();
        long first = store().tryLockFenced(key, owner, LONG_EXPIRE);
        assertThat(first).isPositive();
        String next = newOwner();
        long handedOver = store().handOver(key, owner, next, LONG_EXPIRE);
        assertThat(handedOver).as("the next holder's token").isGreaterThan(first);
        assertThat(store().tryLockFenced(key, newOwner(), LONG_EXPIRE)).as("held all along")
                .isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().keepAlive(key, owner, LONG_EXPIRE)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().keepAlive(key, next, LONG_EXPIRE)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        String after = newOwner();
        assertThat(store().tryLockFenced(key, after, LONG_EXPIRE)).as("token of the grant after the hand-over")
                .isGreaterThan(handedOver);
        assertThat(store().unlock(key, after)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aHandOverWhileAContenderWaitsHandsOverOrReleasesAsUnlock() {
        LockStore contenders = peerStore() != null ? peerStore() : store();
        String key = uniqueKey("handover-contended");
        String owner = newOwner();
        long first = store().tryLockFenced(key, owner, LONG_EXPIRE);
        String contender = newOwner();
        assertThat(contenders.tryLock(key, contender, LONG_EXPIRE)).isFalse();
        String next = newOwner();
        long answer = store().handOver(key, owner, next, LONG_EXPIRE);
        if (answer == HandOverLockStore.RELEASED) {
            assertThat(contenders).as("only a contender of another instance is yielded to").isNotSameAs(store());
            assertThat(store().unlock(key, owner)).as("released").isEqualTo(LockStatus.LOCK_UNEXIST);
            assertThat(store().unlock(key, next)).as("not handed over").isEqualTo(LockStatus.LOCK_UNEXIST);
            assertThat(contenders.tryLock(key, contender, LONG_EXPIRE)).as("free for the contender").isTrue();
            assertThat(contenders.unlock(key, contender)).isEqualTo(LockStatus.SUCCESS);
        } else {
            assertThat(answer).as("the next holder's token").isGreaterThan(first);
            assertThat(contenders.tryLock(key, contender, LONG_EXPIRE)).as("held all along").isFalse();
            assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        }
        assertThat(store().maxHandOversInARow()).isPositive();
    }

    @Test
    void handOversInARowKeepTheTokenGrowing() {
        String key = uniqueKey("handover-chain");
        String holder = newOwner();
        long previous = store().tryLockFenced(key, holder, LONG_EXPIRE);
        for (int i = 0; i < 5; i++) {
            String next = newOwner();
            long token = store().handOver(key, holder, next, LONG_EXPIRE);
            assertThat(token).as("token of hand-over %s", i).isGreaterThan(previous);
            previous = token;
            holder = next;
        }
        assertThat(store().unlock(key, holder)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aHandOverByAnotherOwnerAnswersNotAcquiredAndChangesNothing() {
        String key = uniqueKey("handover-other");
        String holder = newOwner();
        long token = store().tryLockFenced(key, holder, LONG_EXPIRE);
        String next = newOwner();
        assertThat(store().handOver(key, newOwner(), next, LONG_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().unlock(key, next)).as("the next owner got nothing")
                .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, holder)).as("the holder still holds").isEqualTo(LockStatus.SUCCESS);
        String after = newOwner();
        assertThat(store().tryLockFenced(key, after, LONG_EXPIRE)).isGreaterThan(token);
        assertThat(store().unlock(key, after)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aHandOverOfAFreeKeyAnswersNotAcquiredAndLeavesItFree() {
        String key = uniqueKey("handover-free");
        String owner = newOwner();
        String next = newOwner();
        assertThat(store().handOver(key, owner, next, LONG_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.LOCK_UNEXIST);
        long token = store().tryLockFenced(key, owner, LONG_EXPIRE);
        assertThat(token).isPositive();
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().handOver(key, owner, next, LONG_EXPIRE)).as("after its Unlock")
                .isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @Test
    void aHolderWhoseLeaseRanOutCannotHandOver() throws Exception {
        String key = uniqueKey("handover-expired");
        String owner = newOwner();
        assertThat(store().tryLockFenced(key, owner, SHORT_EXPIRE)).isPositive();
        sleepPastExpiry(SHORT_EXPIRE);
        String next = newOwner();
        assertThat(store().handOver(key, owner, next, LONG_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        String other = newOwner();
        assertThat(store().tryLockFenced(key, other, LONG_EXPIRE)).as("free for anyone").isPositive();
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, other)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void theLeaseAfterAHandOverIsTheNextHolders() throws Exception {
        String longer = uniqueKey("handover-lease-longer");
        String shorter = uniqueKey("handover-lease-shorter");
        String shortHolder = newOwner();
        String longHolder = newOwner();
        assertThat(store().tryLockFenced(longer, shortHolder, SHORT_EXPIRE)).isPositive();
        assertThat(store().tryLockFenced(shorter, longHolder, LONG_EXPIRE)).isPositive();
        String longNext = newOwner();
        String shortNext = newOwner();
        long start = System.nanoTime();
        assertThat(store().handOver(longer, shortHolder, longNext, LONG_EXPIRE)).isPositive();
        assertThat(store().handOver(shorter, longHolder, shortNext, SHORT_EXPIRE)).isPositive();
        String third = newOwner();
        long freed = pollUntil(() -> store().tryLock(shorter, third, LONG_EXPIRE),
                Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()).plusSeconds(2),
                "'" + shorter + "' free at the end of the next holder's short lease");
        assertAtEndOfShortLease(Duration.ofNanos(freed - start), "the key was free");
        sleepUntil(start + Duration.ofSeconds(SHORT_EXPIRE).plus(expiryGrace()).toNanos());
        assertThat(store().unlock(longer, longNext)).as("still held past the first holder's short lease")
                .isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(shorter, third)).isEqualTo(LockStatus.SUCCESS);
    }
}
