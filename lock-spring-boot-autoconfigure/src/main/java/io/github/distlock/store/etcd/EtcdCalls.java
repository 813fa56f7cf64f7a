package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for one etcd request, the same way for the store's key calls and the lease pool's lease calls. */
final class EtcdCalls {

    private EtcdCalls() {
    }

    /**
     * The request's answer, waited for at most {@code timeout}.
     *
     * @param what what the request does, for the message ("lock transaction on")
     * @param key  the lock key it is for, for the message
     * @throws EtcdLockStoreException when etcd answered with an error, gave no answer within {@code timeout} (the
     *                                request is then cancelled), or the thread was interrupted (the flag stays set)
     */
    static <T> T await(Duration timeout, CompletableFuture<T> request, String what, String key) {
        try {
            return request.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            request.cancel(true);
            throw new EtcdLockStoreException("etcd " + what + " '" + key + "' got no answer within "
                    + timeout + " (cluster unreachable or without a leader?)", e);
        } catch (ExecutionException e) {
            throw new EtcdLockStoreException("etcd " + what + " '" + key + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.cancel(true);
            throw new EtcdLockStoreException("Interrupted waiting for etcd " + what + " '" + key + "'", e);
        }
    }
}
