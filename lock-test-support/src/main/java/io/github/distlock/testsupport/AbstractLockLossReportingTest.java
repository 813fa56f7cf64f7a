package io.github.distlock.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockLossReporting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The contract of the optional capability {@link LockLossReporting}: when the store loses its locks without an
 * operation of theirs (its connection cut off, here), every listener hears of every lock it held, by key and owner,
 * with a reason; a released lock and a removed listener are not reported.
 *
 * <p>A store with this capability adds one class to its tests, whose store reaches its server through something the
 * test can cut (a {@link PausableTcpProxy}, say):
 * <pre>{@code
 * class MyLockLossReportingTest extends AbstractLockLossReportingTest {
 *     protected LockLossReporting createStore() { return new MyLockStore(newClient(proxy.connectString())); }
 *     protected void cutOff()    { proxy.pause(); }
 *     protected void reconnect() { proxy.resume(); }
 *     protected Duration reportDelay() { return Duration.ofSeconds(3); }
 * }
 * }</pre>
 */
public abstract class AbstractLockLossReportingTest extends AbstractLockStoreTest<LockLossReporting> {

    /** Cuts the store off from its server, so that it loses its locks (and says so). */
    protected abstract void cutOff() throws Exception;

    /** Undoes {@link #cutOff()}; the store may take a while to work again, which the suite waits for. */
    protected abstract void reconnect() throws Exception;

    /** How long after {@link #cutOff()} the store reports its locks lost at the latest. */
    protected abstract Duration reportDelay();

    private record Report(String key, String owner, String reason) {
    }

    @AfterEach
    void reconnectAndAwaitTheStore() throws Exception {
        reconnect();
        String key = uniqueKey("loss-reporting-back");
        pollUntil(() -> {
            try {
                return store().tryLock(key, "back", LONG_EXPIRE);
            } catch (RuntimeException e) {
                return false; // still reconnecting
            }
        }, reportDelay().plusSeconds(30), "the store working again");
        assertThat(store().unlock(key, "back")).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void everyHeldLockIsReportedByKeyAndOwnerAndAReleasedOneIsNot() throws Exception {
        String first = uniqueKey("loss-first");
        String second = uniqueKey("loss-second");
        String released = uniqueKey("loss-released");
        String firstOwner = newOwner();
        String secondOwner = newOwner();
        String releasedOwner = newOwner();
        assertThat(store().tryLock(first, firstOwner, LONG_EXPIRE)).isTrue();
        assertThat(store().tryLock(second, secondOwner, LONG_EXPIRE)).isTrue();
        assertThat(store().tryLock(released, releasedOwner, LONG_EXPIRE)).isTrue();
        assertThat(store().unlock(released, releasedOwner)).isEqualTo(LockStatus.SUCCESS);
        List<Report> heard = new CopyOnWriteArrayList<>();
        LockLossReporting.LockLossListener listener = (key, owner, reason) -> heard.add(new Report(key, owner, reason));
        store().addLockLossListener(listener);
        try {
            cutOff();
            pollUntil(() -> heard.stream().map(Report::key).toList().containsAll(List.of(first, second)),
                    reportDelay(), "both held locks reported lost");
            assertThat(heard).extracting(Report::key, Report::owner).contains(
                    tuple(first, firstOwner), tuple(second, secondOwner));
            assertThat(heard).extracting(Report::key).as("a released lock").doesNotContain(released);
            assertThat(heard).allSatisfy(report -> assertThat(report.reason()).isNotBlank());
        } finally {
            store().removeLockLossListener(listener);
        }
    }

    @Test
    void aRemovedListenerHearsNothingWhileAnotherStillDoes() throws Exception {
        String key = uniqueKey("loss-removed");
        assertThat(store().tryLock(key, newOwner(), LONG_EXPIRE)).isTrue();
        List<String> removedHeard = new CopyOnWriteArrayList<>();
        List<String> keptHeard = new CopyOnWriteArrayList<>();
        LockLossReporting.LockLossListener removed = (lost, owner, reason) -> removedHeard.add(lost);
        LockLossReporting.LockLossListener kept = (lost, owner, reason) -> keptHeard.add(lost);
        store().addLockLossListener(removed);
        store().addLockLossListener(kept);
        store().removeLockLossListener(removed);
        try {
            cutOff();
            pollUntil(() -> keptHeard.contains(key), reportDelay(), "the lock reported to the listener kept");
            assertThat(removedHeard).isEmpty();
        } finally {
            store().removeLockLossListener(kept);
        }
    }
}
