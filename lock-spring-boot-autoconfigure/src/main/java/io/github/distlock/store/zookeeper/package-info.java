/**
 * The ZooKeeper lock store. Why it works as it does (ephemeral nodes, leases without TTL enforced by the holder's
 * timer and by contenders on the ensemble's clock, clock skew, why {@code takeover-delay}, session loss, several
 * instances) is explained once, in README.md, section "ZooKeeper store"; the class comments here point to it rather
 * than repeat it.
 *
 * <h2>Which class does what</h2>
 * <ul>
 *   <li>{@link io.github.distlock.store.zookeeper.ZooKeeperLockStore}: TryLock, Unlock, LockKeepAlive, hand-over,
 *       lifecycle and the figures for health and metrics; wires the parts below.</li>
 *   <li>{@code RecordOperations}: Unlock and LockKeepAlive through this store's own record of the lock (one write);
 *       {@code ReadingOperations}: the same, and TryLock's takeover, decided by the node as read;
 *       {@code HandOverOperations}: the hand-over, one {@code multi} (delete the holder's node, create the next
 *       owner's), by the record or by reading.</li>
 *   <li>{@code HeldLocks} and {@code Held}: the book of locks held, with a timer at each lease's end. Pure
 *       bookkeeping.</li>
 *   <li>{@code ServerClock}: what the leader's timestamps say of the ensemble's time now, and whether a lease is
 *       surely over by it. Pure logic.</li>
 *   <li>{@code NodeCleanup}: deletes the nodes of locks given up, while that is still safe;
 *       {@code ConnectionWatch}: reports locks lost on a disconnection (WARN, and each lock to the
 *       {@code LockLossReporting} listeners, so its holder is told) and has their nodes removed on
 *       reconnection.</li>
 *   <li>{@code PathClaims}: at most one of the store's version-checked writes per node path in flight, so that two
 *       of them are never decided on the same node.</li>
 *   <li>{@code RootNode}: the root node's creation and ACL, and the write that reads the ensemble's clock.</li>
 *   <li>{@code Requests} and {@code Reply}: ZooKeeper's asynchronous calls made blocking, each bounded by the
 *       operation's deadline, failures turned into {@code LockStoreException}.</li>
 *   <li>{@code LockNodeCodec}: node names from keys, node data from lease and owner.</li>
 *   <li>{@code ReleaseWatches}: waiting ({@code awaitRelease}), one data watch per waited node, shared by the waiters
 *       of the key; the waiting itself is {@code io.github.distlock.waiting.ReleaseWaiters}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Four kinds of thread touch the store: callers of its operations and waiters (any number at once), the timer thread
 * of {@code HeldLocks}, Curator's connection-state thread and ZooKeeper's event thread (callbacks and watch events);
 * plus the one that closes it. Each class says which of them it meets and how it stays safe. All time is read from one injected
 * monotonic clock ({@code System::nanoTime} outside tests), never from the wall clock.
 */
package io.github.distlock.store.zookeeper;
