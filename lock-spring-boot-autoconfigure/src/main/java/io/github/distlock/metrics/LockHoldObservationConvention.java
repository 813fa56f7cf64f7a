package io.github.distlock.metrics;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the hold observation ({@link LockObservationDocumentation#HOLD}); a bean of this type replaces
 * {@link DefaultLockHoldObservationConvention} (extend it to add tags).
 */
public interface LockHoldObservationConvention extends ObservationConvention<LockObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof LockObservationContext;
    }
}
