package io.github.distlock.metrics;

import io.github.distlock.api.LockStatus;
import io.micrometer.observation.Observation;

/**
 * The observations of one acquisition ({@link LockObservationDocumentation}): the acquire, started by
 * {@link LockRecorders.Source#observe} and ended by {@link #acquired}, {@link #notAcquired} or {@link #acquireFailed}
 * on the same thread; then the hold, ended by the lock's release through this object as the lock's
 * {@link LockMetrics.Recorder} (it passes every event on to the store's recorder).
 *
 * <p>The acquire is the current observation while it runs, so store client spans nest under it; the hold is made
 * after the acquire ends, so both are children of the caller's observation.
 */
public final class LockObservation implements LockMetrics.Recorder {

    /** When nothing is observed (no {@code ObservationRegistry}, or a no-op one): records nothing, allocates nothing. */
    public static final LockObservation NONE = new LockObservation();

    private final LockRecorders.Observations observations;
    private final LockObservationContext acquireContext;
    private final Observation acquire;
    private final Observation.Scope acquireScope;
    private LockMetrics.Recorder recorder;
    private LockObservationContext holdContext;
    private Observation hold;

    private LockObservation() {
        observations = null;
        acquireContext = null;
        acquire = null;
        acquireScope = null;
    }

    LockObservation(LockRecorders.Observations observations, LockObservationContext context) {
        this.observations = observations;
        this.acquireContext = context;
        this.acquire = Observation.createNotStarted(observations.acquireConvention(),
                observations.defaultAcquireConvention(), () -> context, observations.registry()).start();
        this.acquireScope = acquire.openScope();
    }

    /** The store failed while trying, or the request was refused (an unknown store, a blank id, an interrupt). */
    public void acquireFailed(Throwable failure) {
        if (acquire != null) {
            acquire.error(failure);
            endAcquire(LockObservationContext.ERROR);
        }
    }

    /** Another owner held the lock for all of the wait time. */
    public void notAcquired() {
        if (acquire != null) {
            endAcquire(LockObservationContext.NOT_ACQUIRED);
        }
    }

    /**
     * The lock was granted: ends the acquire and starts the hold.
     *
     * @param storeRecorder the recorder of the lock's store and source
     * @param fencingToken  the grant's token, 0 when the store has none
     * @return the recorder for the held lock: {@code storeRecorder} when nothing is observed, else this object, which
     *         ends the hold when the lock is released
     */
    public LockMetrics.Recorder acquired(LockMetrics.Recorder storeRecorder, long fencingToken) {
        if (acquire == null) {
            return storeRecorder;
        }
        endAcquire(LockObservationContext.ACQUIRED);
        recorder = storeRecorder;
        holdContext = new LockObservationContext(acquireContext.getStoreName(), acquireContext.getResourceId(),
                acquireContext.getSource(), acquireContext.getOwner());
        holdContext.setFencingToken(fencingToken);
        LockObservationContext context = holdContext;
        hold = Observation.createNotStarted(observations.holdConvention(), observations.defaultHoldConvention(),
                () -> context, observations.registry()).start();
        return this;
    }

    private void endAcquire(String result) {
        acquireContext.setResult(result);
        acquireScope.close();
        acquire.stop();
    }

    /**
     * Makes the hold of {@code recorder} (the recorder {@link #acquired} returned) the current observation until the
     * scope is closed, on this thread; a no-op scope when nothing is observed. Close it before the lock is released.
     */
    public static Observation.Scope openHoldScope(LockMetrics.Recorder recorder) {
        return recorder instanceof LockObservation observation && observation.hold != null
                ? observation.hold.openScope() : Observation.Scope.NOOP;
    }

    private void endHold(String result) {
        holdContext.setResult(result);
        hold.stop();
    }

    private String releasedResult(LockStatus status) {
        return status == LockStatus.SUCCESS && holdContext.getResult() == null ? LockObservationContext.RELEASED
                : LockObservationContext.LOST;
    }

    @Override
    public void acquired(long nanos) {
        recorder.acquired(nanos);
    }

    @Override
    public void released(LockStatus status, long heldNanos) {
        recorder.released(status, heldNanos);
        endHold(releasedResult(status));
    }

    @Override
    public void releaseFailed(long heldNanos) {
        recorder.releaseFailed(heldNanos);
        endHold(LockObservationContext.ERROR);
    }

    @Override
    public void releasedByKeepAlive(LockStatus status, long heldNanos) {
        recorder.releasedByKeepAlive(status, heldNanos);
        endHold(releasedResult(status));
    }

    @Override
    public void lost() {
        recorder.lost();
        // Read by the release: a lock lost while held ends as lost, whatever its Unlock answers.
        holdContext.setResult(LockObservationContext.LOST);
        hold.event(LockObservationDocumentation.LOST_EVENT);
    }

    @Override
    public void skipped() {
        recorder.skipped();
    }

    @Override
    public void keepAliveAnswered(LockStatus status) {
        recorder.keepAliveAnswered(status);
    }

    @Override
    public void keepAliveFailed() {
        recorder.keepAliveFailed();
    }

    @Override
    public void tryLockAnswered(boolean acquired, long nanos) {
        recorder.tryLockAnswered(acquired, nanos);
    }

    @Override
    public void unlockAnswered(LockStatus status) {
        recorder.unlockAnswered(status);
    }

    @Override
    public void unlockFailed() {
        recorder.unlockFailed();
    }
}
