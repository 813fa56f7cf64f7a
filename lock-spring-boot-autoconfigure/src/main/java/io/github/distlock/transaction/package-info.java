/**
 * Spring transactions inside locks: {@link io.github.distlock.transaction.LockCheckingTransactionListener} keeps a
 * transaction begun inside a lock from committing once the lock is lost. Used only when {@code spring-tx} is on the
 * classpath.
 */
package io.github.distlock.transaction;
