package io.github.distlock.store.zookeeper;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ServerClock} on a fake monotonic clock: the ensemble's time is only ever known to lie between what a sample
 * says from its send and from its answer, and "surely past" must never be answered before the ensemble's time is.
 */
class ServerClockTest {

    private static final long START = 5_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(START);
    private final ServerClock clock = new ServerClock(nanos::get);
    private final AtomicInteger probes = new AtomicInteger();

    @Test
    void withoutASampleOnlyAProbeCanSayTheTimeIsPast() {
        assertThat(clock.surelyPast(1_000, probeAnswering(1_000))).isTrue();
        assertThat(probes).hasValue(1);

        ServerClock empty = new ServerClock(nanos::get);
        assertThat(empty.surelyPast(1_001, probeAnswering(1_000))).as("the probe's sample is before").isFalse();
    }

    @Test
    void aFreshSampleDecidesBothWaysAndProbesOnlyInBetween() {
        // Stamped 10 000 somewhere between the send (START) and the answer 5 ms later; 300 ms pass since the answer.
        ServerClock.Sample sample = new ServerClock.Sample(10_000, START, START + ms(5));
        advance(ms(5) + ms(300));
        // Now the ensemble's time is at least 10 000 + 300 and at most 10 000 + 305 (+2 for millisecond truncation).
        assertThat(clockWith(sample).surelyPast(10_300, probeAnswering(0))).isTrue();
        assertThat(clockWith(sample).surelyPast(9_000, probeAnswering(0))).isTrue();
        assertThat(probes).as("decided by the sample").hasValue(0);

        assertThat(clockWith(sample).surelyPast(10_308, probeAnswering(99_999))).isFalse();
        assertThat(probes).as("surely before: no probe").hasValue(0);

        assertThat(clockWith(sample).surelyPast(10_301, probeAnswering(10_000))).isFalse();
        assertThat(clockWith(sample).surelyPast(10_307, probeAnswering(10_000))).isFalse();
        assertThat(probes).as("in the window the sample leaves open, a probe each time").hasValue(2);
        assertThat(clockWith(sample).surelyPast(10_307, probeAnswering(10_307))).as("a probe that decides").isTrue();
    }

    @Test
    void aWaiterIsWokenWhenTheSampleSaysTheTimeIsSurelyReached() {
        assertThat(new ServerClock(nanos::get).nanosWhenReached(10_000)).as("no sample").isEmpty();

        ServerClock.Sample sample = new ServerClock.Sample(10_000, START, START + ms(5));
        ServerClock sampled = clockWith(sample);
        long wakeUp = sampled.nanosWhenReached(10_800).getAsLong();
        advance(wakeUp - nanos.get());
        assertThat(sampled.surelyPast(10_800, probeAnswering(0))).as("at the wake-up").isTrue();
        assertThat(probes).as("decided by the sample").hasValue(0);
        nanos.set(wakeUp - ms(2));
        assertThat(sampled.surelyPast(10_800, probeAnswering(0))).as("2 ms before it").isFalse();
    }

    @Test
    void aSlowRoundTripWidensTheWindowInWhichOnlyAProbeDecides() {
        ServerClock.Sample sample = new ServerClock.Sample(1_000, START, START + ms(400));
        advance(ms(400));
        // The stamp may be as early as the send or as late as the answer: the time now is in [1 000, 1 402].
        assertThat(clockWith(sample).surelyPast(1_000, probeAnswering(0))).isTrue();
        assertThat(clockWith(sample).surelyPast(1_403, probeAnswering(0))).isFalse();
        assertThat(probes).hasValue(0);

        assertThat(clockWith(sample).surelyPast(1_402, probeAnswering(0))).isFalse();
        assertThat(clockWith(sample).surelyPast(1_001, probeAnswering(0))).isFalse();
        assertThat(probes).hasValue(2);
    }

    @Test
    void aSampleOlderThanASecondNoLongerSaysTheTimeIsPast() {
        clock.observe(new ServerClock.Sample(1_000, START, START));
        advance(ms(1_000));
        assertThat(clock.surelyPast(1_500, probeAnswering(0))).as("a second old: still trusted").isTrue();
        assertThat(probes).hasValue(0);

        advance(1);
        assertThat(clock.surelyPast(1_500, probeAnswering(0))).as("older: the probe must say it").isFalse();
        assertThat(probes).hasValue(1);
    }

    @Test
    void anOlderAnswerDoesNotReplaceANewerOne() {
        clock.observe(new ServerClock.Sample(5_000, START, START + ms(10)));
        clock.observe(new ServerClock.Sample(1_000, START, START + ms(5)));
        advance(ms(10));
        assertThat(clock.surelyPast(5_000, probeAnswering(0))).isTrue();
        assertThat(probes).hasValue(0);
    }

    /**
     * A contender polling every millisecond for a takeover, against a simulated ensemble whose clock is far from this
     * machine's (any offset, even negative), with a monotonic clock that may wrap around, and with the leader's stamp
     * early, midway or late in the round trip: "past" comes only once the ensemble's time is past, and within two
     * round trips and a poll of it (what a sample cannot pin down, a round trip, plus the probe that settles it).
     */
    @Test
    void neverPastBeforeTheEnsembleIsWhateverTheSkewOrTheMonotonicOrigin() {
        long hour = TimeUnit.HOURS.toMillis(1);
        long wallNow = System.currentTimeMillis();
        for (long ensembleOrigin : new long[] {wallNow, wallNow + 5 * hour, wallNow - 5 * hour, 0}) {
            for (long nanoOrigin : new long[] {0, -ms(10_000), Long.MAX_VALUE - ms(1_500)}) {
                for (long[] legs : new long[][] {{4, 4}, {1, 39}, {39, 1}}) {
                    pollForTakeover(ensembleOrigin, nanoOrigin, ms(legs[0]), ms(legs[1]));
                }
            }
        }
    }

    /** @param requestLeg time from the send to the leader's stamp; {@code replyLeg} from the stamp to the answer */
    private void pollForTakeover(long ensembleOrigin, long nanoOrigin, long requestLeg, long replyLeg) {
        AtomicLong now = new AtomicLong(nanoOrigin);
        ServerClock contender = new ServerClock(now::get);
        // The ensemble's clock, as the leader stamps it (truncated to the millisecond, as mtime is).
        Supplier<Long> ensembleMillis = () -> ensembleOrigin + TimeUnit.NANOSECONDS.toMillis(now.get() - nanoOrigin);
        Supplier<ServerClock.Sample> probe = () -> {
            long sent = now.get();
            now.addAndGet(requestLeg);
            long stamp = ensembleMillis.get();
            now.addAndGet(replyLeg);
            return new ServerClock.Sample(stamp, sent, now.get());
        };
        // The holder's lease of 2 s, stamped by the leader, plus a takeover delay of 500 ms.
        long takeoverAt = ensembleMillis.get() + 2_000 + 500;
        contender.observe(probe.get());
        Long pastAt = null;
        while (pastAt == null && now.get() - nanoOrigin < ms(5_000)) {
            now.addAndGet(ms(1));
            if (contender.surelyPast(takeoverAt, probe)) {
                pastAt = ensembleMillis.get();
            }
        }
        long roundTripMillis = TimeUnit.NANOSECONDS.toMillis(requestLeg + replyLeg);
        assertThat(pastAt).as("origin %d, nanos from %d, legs %d+%d ns", ensembleOrigin, nanoOrigin, requestLeg,
                        replyLeg).isNotNull()
                .isGreaterThanOrEqualTo(takeoverAt)
                .isLessThanOrEqualTo(takeoverAt + 2 * roundTripMillis + 1 + 2);
    }

    private ServerClock clockWith(ServerClock.Sample sample) {
        ServerClock sampled = new ServerClock(nanos::get);
        sampled.observe(sample);
        return sampled;
    }

    /** A write to the ensemble, counted, answered 1 µs later with the stamp {@code serverMillis}. */
    private Supplier<ServerClock.Sample> probeAnswering(long serverMillis) {
        return () -> {
            probes.incrementAndGet();
            long sent = nanos.get();
            advance(1_000);
            return new ServerClock.Sample(serverMillis, sent, nanos.get());
        };
    }

    private void advance(long byNanos) {
        nanos.addAndGet(byNanos);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
