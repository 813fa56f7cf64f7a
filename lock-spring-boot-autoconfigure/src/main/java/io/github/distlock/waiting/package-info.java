/**
 * What the stores' implementations of {@code ReleaseAwaitingLockStore} share: {@code ReleaseWaiters}, the local
 * waiters of a store and one watch per waited key. Plain Java; used by {@code store.*} only.
 */
package io.github.distlock.waiting;
