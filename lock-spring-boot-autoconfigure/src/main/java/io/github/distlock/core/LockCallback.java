package io.github.distlock.core;

import io.github.distlock.api.LockHandle;

/**
 * Work to run while a lock is held, for {@link LockTemplate#executeLocked}. Whatever it throws reaches the caller
 * unchanged, checked exceptions included: {@code E} is inferred from the lambda ({@code RuntimeException} when it
 * throws no checked exception), and {@code executeLocked} declares it.
 *
 * @param <T> the result
 * @param <E> the checked exception the work may throw
 */
@FunctionalInterface
public interface LockCallback<T, E extends Throwable> {

    /**
     * @param lock the held lock: its fencing token, its lease ({@link LockHandle#renew()}); also available as
     *             {@link CurrentLock#get()} deeper in the call
     */
    T doInLock(LockHandle lock) throws E;
}
