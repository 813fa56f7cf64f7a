package io.github.distlock.metrics;

import io.github.distlock.metrics.LockObservationDocumentation.HighCardinalityKeys;
import io.github.distlock.metrics.LockObservationDocumentation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * {@value LockObservationDocumentation#ACQUIRE_NAME}, span name {@code lock acquire}; tags {@code store},
 * {@code source}, {@code result} (acquired, not_acquired, error) and, on spans, {@code key} and {@code owner}.
 */
public class DefaultLockAcquireObservationConvention implements LockAcquireObservationConvention {

    @Override
    public String getName() {
        return LockObservationDocumentation.ACQUIRE_NAME;
    }

    @Override
    public String getContextualName(LockObservationContext context) {
        return "lock acquire";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(LockObservationContext context) {
        return lowCardinality(context);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(LockObservationContext context) {
        return highCardinality(context);
    }

    /** {@code key} and {@code owner}: shared with the hold. */
    static KeyValues highCardinality(LockObservationContext context) {
        return KeyValues.of(HighCardinalityKeys.KEY.withValue(context.getResourceId()),
                HighCardinalityKeys.OWNER.withValue(context.getOwner()));
    }

    /** {@code store}, {@code source} and {@code result} ({@code unknown} while it runs): shared with the hold. */
    static KeyValues lowCardinality(LockObservationContext context) {
        String result = context.getResult();
        return KeyValues.of(LowCardinalityKeys.STORE.withValue(context.getStoreName()),
                LowCardinalityKeys.SOURCE.withValue(context.getSource()),
                LowCardinalityKeys.RESULT.withValue(result != null ? result : "unknown"));
    }
}
