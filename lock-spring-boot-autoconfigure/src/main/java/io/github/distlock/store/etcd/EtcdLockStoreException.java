package io.github.distlock.store.etcd;

/** An etcd request failed or got no answer in time; the lock client wraps it in a {@code LockStoreException}. */
public class EtcdLockStoreException extends RuntimeException {

    public EtcdLockStoreException(String message) {
        super(message);
    }

    public EtcdLockStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
