package io.github.distlock.metrics;

import io.github.distlock.metrics.LockObservationDocumentation.HighCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * {@value LockObservationDocumentation#HOLD_NAME}, span name {@code lock hold}; tags {@code store}, {@code source},
 * {@code result} (released, lost, error) and, on spans, {@code key}, {@code owner} and {@code fencing.token} (when
 * the store hands them out).
 */
public class DefaultLockHoldObservationConvention implements LockHoldObservationConvention {

    @Override
    public String getName() {
        return LockObservationDocumentation.HOLD_NAME;
    }

    @Override
    public String getContextualName(LockObservationContext context) {
        return "lock hold";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(LockObservationContext context) {
        return DefaultLockAcquireObservationConvention.lowCardinality(context);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(LockObservationContext context) {
        KeyValues keyValues = DefaultLockAcquireObservationConvention.highCardinality(context);
        return context.getFencingToken().isPresent() ? keyValues.and(HighCardinalityKeys.FENCING_TOKEN
                .withValue(Long.toString(context.getFencingToken().getAsLong()))) : keyValues;
    }
}
