package io.github.distlock.metrics;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the acquire observation ({@link LockObservationDocumentation#ACQUIRE}); a bean of this type
 * replaces {@link DefaultLockAcquireObservationConvention} (extend it to add tags).
 */
public interface LockAcquireObservationConvention extends ObservationConvention<LockObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof LockObservationContext;
    }
}
