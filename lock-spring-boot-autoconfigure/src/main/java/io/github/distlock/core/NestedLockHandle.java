package io.github.distlock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.OptionalLong;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockStatus;

/**
 * A reentrant {@link LockTemplate#acquire}/{@link LockTemplate#tryAcquire} of a lock its thread holds in an enclosing
 * call: a view of that call's lock, one hold more, whose release only ends that hold (no Unlock; the enclosing call
 * releases the lock). Everything else is the enclosing lock's.
 */
final class NestedLockHandle implements LockHandle {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(NestedLockHandle.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TemplateLockHandle outer;
    private volatile boolean released;

    NestedLockHandle(TemplateLockHandle outer) {
        this.outer = outer;
        outer.watch.hold();
    }

    @Override
    public String storeName() {
        return outer.storeName();
    }

    @Override
    public String resourceId() {
        return outer.resourceId();
    }

    @Override
    public String owner() {
        return outer.owner();
    }

    @Override
    public int expireSeconds() {
        return outer.expireSeconds();
    }

    @Override
    public Instant acquiredAt() {
        return outer.acquiredAt();
    }

    @Override
    public OptionalLong fencingToken() {
        return outer.fencingToken();
    }

    @Override
    public boolean isHeld() {
        return !released && outer.isHeld();
    }

    @Override
    public int holdCount() {
        return released ? 0 : outer.holdCount();
    }

    @Override
    public LockStatus renew() {
        if (released) {
            throw new IllegalStateException(this + " was released");
        }
        return outer.renew();
    }

    /** Ends this hold, once; the enclosing call still holds the lock. */
    @Override
    public LockStatus release() {
        if (RELEASED.compareAndSet(this, false, true)) {
            outer.watch.unhold();
        }
        return LockStatus.SUCCESS;
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return outer + ", reentrant hold";
    }
}
