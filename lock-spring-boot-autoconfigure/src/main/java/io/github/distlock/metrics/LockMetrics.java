package io.github.distlock.metrics;

import io.github.distlock.api.LockStatus;

/**
 * Where the lock paths report what happened. {@link #NOOP} when Micrometer is absent;
 * {@link MicrometerLockMetrics} otherwise.
 */
public interface LockMetrics {

    /** Tag value of locks taken through {@code @DistributedLock}. */
    String SOURCE_ANNOTATION = "annotation";

    /** Tag value of locks taken through {@code LockTemplate} by application code. */
    String SOURCE_TEMPLATE = "template";

    /** Tag value of requests served by the gRPC Lock API. */
    String SOURCE_GRPC = "grpc";

    /**
     * Tag value of locks a store reported lost ({@code LockLossReporting}) that no {@code LockHandle} of this
     * instance held: taken over gRPC or through {@code DistributedLockClient} directly.
     */
    String SOURCE_STORE = "store";

    LockMetrics NOOP = (storeName, source) -> Recorder.NOOP;

    /**
     * The recorder for one store and one source ({@link #SOURCE_ANNOTATION}, {@code grpc}, ...); cache it, as
     * {@link LockRecorders} does.
     */
    Recorder recorder(String storeName, String source);

    /** The store reported a lock lost that no handle of this instance held ({@link #SOURCE_STORE}); rare. */
    default void storeReportedLoss(String storeName) {
    }

    /** Records the events of one store and source. */
    interface Recorder {

        Recorder NOOP = new Recorder() {
        };

        /** The lock was taken after {@code nanos} of trying. */
        default void acquired(long nanos) {
        }

        /** The lock was held by someone else for all of {@code nanos}. */
        default void notAcquired(long nanos) {
        }

        /** The store failed while trying. */
        default void acquireFailed(long nanos) {
        }

        /** Unlock answered {@code status} after the lock was held for {@code heldNanos}. */
        default void released(LockStatus status, long heldNanos) {
        }

        /** Unlock failed after the lock was held for {@code heldNanos}; the lease ends by itself. */
        default void releaseFailed(long heldNanos) {
        }

        /**
         * Released before its {@code holdAtLeast}: a LockKeepAlive to the rest answered {@code status} instead of an
         * Unlock, after the lock was held for {@code heldNanos}.
         */
        default void releasedByKeepAlive(LockStatus status, long heldNanos) {
        }

        /** A held lock was found lost (keep-alive refused, store failing past the lease, reported by the store). */
        default void lost() {
        }

        /** Not acquired, and the call was skipped ({@code onFailure = SKIP}, or a fallback of the template). */
        default void skipped() {
        }

        // Request-per-call APIs (gRPC): TryLock, Unlock and LockKeepAlive arrive as unrelated requests, and a
        // client may never unlock, so this instance cannot know which locks are held or for how long. These record
        // outcomes only: no held time, and the held-locks gauge is left alone. keepAliveAnswered and keepAliveFailed
        // also record the renewals of held locks.

        /** A TryLock request answered {@code acquired} after {@code nanos}; the lock is not counted as held. */
        default void tryLockAnswered(boolean acquired, long nanos) {
        }

        /** An Unlock request answered {@code status}. */
        default void unlockAnswered(LockStatus status) {
        }

        /** An Unlock request failed in the store. */
        default void unlockFailed() {
        }

        /** A LockKeepAlive request (or the renewal of a held lock) answered {@code status}. */
        default void keepAliveAnswered(LockStatus status) {
        }

        /** A LockKeepAlive request (or the renewal of a held lock) failed in the store. */
        default void keepAliveFailed() {
        }
    }
}
