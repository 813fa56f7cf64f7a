package io.github.distlock.store.zookeeper;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HeldLocks} on a fake monotonic clock. Its timers run on real time, but they act only when the injected
 * clock says a lease is over: a timer that fires early looks again, so these tests decide when a lease ends by moving
 * the fake clock. Every wait is bounded.
 */
class HeldLocksTest {

    /** Long enough for a timer due now to have fired; a wait for something that must not happen. */
    private static final long QUIET_MILLIS = 200;
    /** Bound on a wait for something that must happen. */
    private static final long TIMEOUT_SECONDS = 5;

    private final AtomicLong nanos = new AtomicLong(-TimeUnit.DAYS.toNanos(1));
    private final BlockingQueue<Held> expired = new LinkedBlockingQueue<>();
    private final HeldLocks book = new HeldLocks("test", nanos::get, expired::add);

    @AfterEach
    void closeBook() {
        book.close();
    }

    @Test
    void aRecordIsHandedOnWhenItsLeaseIsOverByTheClock() throws Exception {
        Held record = record("/locks/a", 1, 50);
        book.track(record);
        assertThat(book.get("/locks/a")).isSameAs(record);
        assertThat(book.liveCount()).isEqualTo(1);

        advanceMillis(50);
        assertThat(book.liveCount()).as("over by the clock, timer or not").isZero();
        assertThat(expired.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(record);
        assertThat(record.finished).isTrue();
        assertThat(book.get("/locks/a")).as("left the book before it was handed on").isNull();
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("handed on once").isNull();
    }

    @Test
    void aTimerThatFiresBeforeTheLeaseEndsByTheClockWaitsOn() throws Exception {
        Held record = record("/locks/a", 1, 30);
        book.track(record);
        // 30 ms of real time pass, several times over, but not on the clock.
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
        assertThat(book.get("/locks/a")).isSameAs(record);
        assertThat(book.liveCount()).isEqualTo(1);

        advanceMillis(30);
        assertThat(expired.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(record);
    }

    @Test
    void aRenewalMovesTheLeaseEndAndTheTimer() throws Exception {
        Held record = record("/locks/a", 1, 50);
        book.track(record);
        book.renew(record, 1, nanos.get() + TimeUnit.MILLISECONDS.toNanos(300));
        advanceMillis(60); // past the first lease, not the renewed one
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
        assertThat(book.liveCount()).isEqualTo(1);
        assertThat(record.version).isEqualTo(1);

        advanceMillis(240);
        assertThat(expired.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(record);
        assertThat(book.liveCount()).isZero();
    }

    @Test
    void forgettingTheDeletedNodeEndsItsRecordAndTimer() throws Exception {
        Held record = record("/locks/a", 7, 30);
        book.track(record);
        book.forget("/locks/a", 8);
        assertThat(book.get("/locks/a")).as("another node: kept").isSameAs(record);

        book.forget("/locks/a", 7);
        assertThat(book.get("/locks/a")).isNull();
        assertThat(record.finished).isTrue();
        assertThat(book.liveCount()).isZero();
        advanceMillis(1_000);
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("no timer left").isNull();
    }

    @Test
    void aNewRecordOfThePathReplacesAndEndsTheOldOne() throws Exception {
        Held first = record("/locks/a", 1, 20);
        Held second = record("/locks/a", 2, 10_000);
        book.track(first);
        book.track(second);
        assertThat(book.get("/locks/a")).isSameAs(second);
        assertThat(first.finished).isTrue();
        assertThat(book.liveCount()).isEqualTo(1);

        advanceMillis(50); // past the first lease only
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
        assertThat(book.get("/locks/a")).isSameAs(second);
    }

    @Test
    void theTimerWaitsForAnOperationInFlightOnTheRecord() throws Exception {
        Held record = record("/locks/a", 1, 20);
        book.track(record);
        record.lock.lock(); // an Unlock or LockKeepAlive at work
        try {
            advanceMillis(20);
            assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
            assertThat(book.get("/locks/a")).isSameAs(record);
        } finally {
            record.lock.unlock();
        }
        assertThat(expired.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(record);
    }

    @Test
    void droppingAllEndsEveryRecordAndReturnsTheLiveOnes() throws Exception {
        Held live = record("/locks/live", 1, 10_000);
        Held over = record("/locks/over", 2, 10);
        book.track(live);
        book.track(over);
        advanceMillis(20);

        assertThat(book.dropAll()).containsExactly(live);
        assertThat(live.finished).isTrue();
        assertThat(over.finished).isTrue();
        assertThat(book.get("/locks/live")).isNull();
        assertThat(book.get("/locks/over")).isNull();
        assertThat(book.liveCount()).isZero();
        advanceMillis(20_000);
        Held handedOn;
        while ((handedOn = expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
            assertThat(handedOn).as("the live record's timer is cancelled").isNotSameAs(live);
        }
    }

    @Test
    void aCleanupSparesNodesOfLiveRecordsAndCreatesInFlight() {
        Held unanswered = new Held("a", "/locks/a", "owner", Held.UNKNOWN_CZXID, 0, 1, nanos.get());
        assertThat(book.tracked(unanswered, 7)).isFalse();

        book.creating("/locks/a", "owner");
        book.creating("/locks/a", "owner");
        book.creating("/locks/a", "someone-else");
        assertThat(book.tracked(unanswered, 7)).as("the owner may be creating it").isTrue();
        book.created("/locks/a", "owner");
        assertThat(book.tracked(unanswered, 7)).as("one of two creates still in flight").isTrue();
        book.created("/locks/a", "owner");
        assertThat(book.tracked(unanswered, 7)).as("another owner's create does not count").isFalse();

        Held known = record("/locks/a", 7, 10_000);
        book.creating("/locks/a", "owner");
        assertThat(book.tracked(record("/locks/a", 5, 10), 5)).as("a record of a known node: creates do not count")
                .isFalse();
        book.created("/locks/a", "owner");

        book.track(known);
        assertThat(book.tracked(unanswered, 7)).as("the node a live record tracks").isTrue();
        assertThat(book.tracked(unanswered, 8)).as("another node").isFalse();
        assertThat(book.tracked(known, 7)).as("a record does not spare its own node").isFalse();
        book.drop(known);
        assertThat(book.tracked(unanswered, 7)).isFalse();
    }

    @Test
    void aClosedBookStillTracksButRunsNoTimer() throws Exception {
        book.close();
        Held record = record("/locks/a", 1, 10);
        book.track(record);
        assertThat(book.get("/locks/a")).isSameAs(record);
        advanceMillis(20);
        assertThat(expired.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
    }

    /** A record of the node {@code czxid} at {@code path}, its lease ending {@code leaseMillis} from now. */
    private Held record(String path, long czxid, long leaseMillis) {
        return new Held("key of " + path, path, "owner", czxid, 0, 1,
                nanos.get() + TimeUnit.MILLISECONDS.toNanos(leaseMillis));
    }

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
