package io.github.distlock.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the lock paths ({@code LockTemplate}, and so {@code @DistributedLock}), made with the
 * application's {@code ObservationRegistry}: spans under the caller's trace with Spring Boot's tracing, timers with
 * its metrics. Their names differ from the meters of {@link MicrometerLockMetrics} ({@code distributed.lock.acquire},
 * {@code distributed.lock.held}), whose tags they would otherwise clash with.
 */
public enum LockObservationDocumentation implements ObservationDocumentation {

    /** Taking a lock: the first TryLock to the grant, waiting included; a child of the caller's observation. */
    ACQUIRE {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultLockAcquireObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeys.KEY, HighCardinalityKeys.OWNER};
        }
    },

    /**
     * Holding a lock: from the grant to the answer of its Unlock; a child of the caller's observation, and the
     * current observation while an {@code executeLocked} callback or {@code @DistributedLock} method runs. Event
     * {@code lost} when the lock is found lost while held.
     */
    HOLD {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultLockHoldObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeys.values();
        }

        @Override
        public Observation.Event[] getEvents() {
            return new Observation.Event[] {LOST_EVENT};
        }
    };

    /** Name of the acquire observation. */
    public static final String ACQUIRE_NAME = "distributed.lock.acquisition";

    /** Name of the hold observation. */
    public static final String HOLD_NAME = "distributed.lock.hold";

    /** Marks a hold observation when its lock is found lost while held. */
    public static final Observation.Event LOST_EVENT = Observation.Event.of("lost", "lock lost while held");

    /** Tags of both observations, a few values each. */
    public enum LowCardinalityKeys implements KeyName {

        /** The store's configured name. */
        STORE {
            @Override
            public String asString() {
                return "store";
            }
        },

        /** {@code template} or {@code annotation}. */
        SOURCE {
            @Override
            public String asString() {
                return "source";
            }
        },

        /** See {@link LockObservationContext#getResult()}. */
        RESULT {
            @Override
            public String asString() {
                return "result";
            }
        }
    }

    /** Tags of spans only: one value per lock or acquisition. */
    public enum HighCardinalityKeys implements KeyName {

        /** The resource id, before the key prefix. */
        KEY {
            @Override
            public String asString() {
                return "key";
            }
        },

        /** The acquisition's owner (a UUID), as logged when the lock is lost. */
        OWNER {
            @Override
            public String asString() {
                return "owner";
            }
        },

        /** The grant's fencing token, on holds of stores that hand them out. */
        FENCING_TOKEN {
            @Override
            public String asString() {
                return "fencing.token";
            }
        }
    }
}
