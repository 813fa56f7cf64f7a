package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.LockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.CuratorZookeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * Locks in ZooKeeper, through one {@link CuratorFramework}: one ZooKeeper session serves every lock of the store.
 *
 * <h2>Nodes</h2>
 * A lock is an EPHEMERAL node {@code <root>/<name>}, the name being the key encoded by {@link LockNodeCodec}. Its data
 * is the lease in milliseconds and the owner ({@code "<leaseMillis>\n<owner>"}). TryLock is a single {@code create};
 * Unlock a single {@code delete} with the version this store got back. Because the node is ephemeral, it vanishes
 * when the holding process dies or loses its session, within the session timeout.
 *
 * <h2>Expiry without TTL</h2>
 * ZooKeeper nodes have no TTL, so the lease is enforced from both sides.
 * <ol>
 *   <li><b>Holder side.</b> The store that took a lock counts its lease on its own monotonic clock from the moment it
 *       <em>sent</em> the create, so the holder's view of the lease ends no later than the ensemble's. At that moment a
 *       timer deletes the node, after checking it is still the same node ({@code czxid}) at the same version. This is
 *       the normal way an overrun lock frees up: within milliseconds of {@code expire}. The store then has no record
 *       of the lock: if its owner asks before the node is gone, or if another instance renewed the node meanwhile
 *       (then the timer leaves it alone: its version changed), the node is judged by the ensemble's clock, as any
 *       instance would judge it (below). The ensemble's view of the lease ends at most a round trip after the
 *       holder's.</li>
 *   <li><b>Contender side.</b> If the node is still there (its holder is alive but cut off from ZooKeeper, or its
 *       timer could not run), a contender may delete it, with a version check, once the lease plus
 *       {@code takeoverDelay} is over <em>by the ensemble's clock</em>, then create its own. The lease start is the
 *       node's {@code mtime}, stamped by the ZooKeeper leader. "Now" by the ensemble's clock comes from
 *       {@link ServerClock}: every write returns the leader's timestamp, and the contender's monotonic clock bounds how
 *       far the ensemble's clock has moved since. A takeover needs a sample less than a second old, and the contender
 *       makes one (a write to the root node) when its samples cannot decide.</li>
 * </ol>
 *
 * <h2>Clock skew</h2>
 * No decision compares two machines' wall clocks. The holder uses only its monotonic clock; the contender compares the
 * leader's timestamps with each other, measuring the time between them with its own monotonic clock. A client whose
 * wall clock is hours off therefore neither takes a live lock early nor waits hours for an expired one. What remains
 * assumed: monotonic clocks of clients and the leader's clock advance at about the same rate (drift of parts per
 * million), the leader's clock does not jump during a lease, and, across a leader change, the servers' clocks agree
 * to well within {@code takeoverDelay} (they run NTP).
 *
 * <h2>Why the takeover waits a little longer than the lease</h2>
 * ZooKeeper's delete and setData check the node's version, but a node created again starts at version 0, like the one
 * it replaces. A holder's write that was decided before its lease ended but arrived after a takeover could therefore
 * hit the new owner's node. No instance sends a write on an owner's behalf once the lease is over by its view: the
 * record of the store that took or last renewed the node as it is (its monotonic clock ends the lease first), or else
 * the ensemble's clock, read at most a round trip before the decision (a fresh sample, or a write to the root made
 * for it). The timer's cleanup runs within {@code takeoverDelay / 2} of the record's lease end. The contender waits
 * {@code takeoverDelay} past the ensemble's view: the two are separated by at least {@code takeoverDelay / 2}, as long
 * as a round trip plus the time a request spends between the check and the server (a stop-the-world pause at that
 * moment) stays below that.
 * Unlock and LockKeepAlive always compare the owner first and act with the version they read, so a stale holder gets
 * LOCK_BELONG_TO_OTHERS once the lock changed hands.
 *
 * <h2>Session loss</h2>
 * When the connection is SUSPENDED or the session LOST, every lock held through it is reported lost (a WARN naming
 * the keys, and {@link #lostLockCount()}): while disconnected the store cannot tell whether its session survives. If
 * the same session comes back, the store deletes the nodes of those locks so that nobody waits for their leases. A
 * create or delete left unanswered (timed out, or the connection lost under it) is handled alike: its node, if it was
 * made or is still there, is deleted once reachable, within {@code takeoverDelay / 2} of its lease end at the latest.
 * Such a cleanup never deletes a node a live record tracks: a create whose answer was lost is only known by its
 * session, owner and version 0, which the same owner's next successful TryLock also matches.
 * Operations while disconnected wait for a reconnection at most {@code operationTimeout}, then throw
 * {@link LockStoreException}; every operation, retries included, is bounded by that timeout. Requests go through the
 * raw ZooKeeper handle, not Curator's retry loop, so a write is never resent behind the store's back.
 *
 * <h2>Several instances</h2>
 * Unlock or LockKeepAlive for a lock another instance took (another session) works: the owner is compared, the lease
 * judged by the ensemble's clock (unless this store's own record is of the node as it is now), and the node deleted
 * or extended with the version read. The node stays ephemeral to the session that created it. Because another
 * instance may release or renew a lock this store took, a record here never answers alone: TryLock always asks
 * ZooKeeper, and a node renewed elsewhere outlives this store's record of it.
 */
public class ZooKeeperLockStore implements LockStore, AutoCloseable {

    /** Default root under which lock nodes live. */
    public static final String DEFAULT_ROOT_PATH = ZooKeeperLockStoreProperties.DEFAULT_ROOT_PATH;
    /** Default bound on one operation, waiting for a reconnection included. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = ZooKeeperLockStoreProperties.DEFAULT_OPERATION_TIMEOUT;
    /** Default wait, past a lease by the ensemble's clock, before a contender removes a node its holder left. */
    public static final Duration DEFAULT_TAKEOVER_DELAY = ZooKeeperLockStoreProperties.DEFAULT_TAKEOVER_DELAY;

    private static final Log logger = LogFactory.getLog(ZooKeeperLockStore.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final byte[] NO_DATA = new byte[0];
    private static final long BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String storeName;
    private final CuratorFramework client;
    private final boolean ownsClient;
    private final String rootPath;
    private final Duration operationTimeout;
    private final long operationTimeoutNanos;
    private final long takeoverDelayMillis;
    private final long cleanupWindowNanos;
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    private final List<Held> pendingRemoval = new ArrayList<>();
    /** TryLock creates sent and not yet tracked, by path and owner: see {@link #removeNodeOf}. */
    private final ConcurrentHashMap<String, Integer> creating = new ConcurrentHashMap<>();
    private final ServerClock serverClock = new ServerClock();
    private final AtomicLong lostLocks = new AtomicLong();
    private final ScheduledThreadPoolExecutor timers;
    private final ConnectionStateListener connectionListener = (c, state) -> connectionStateChanged(state);
    private volatile List<ACL> nodeAcl;

    /** A store on {@code client} (started by its owner) with the default root, timeout and takeover delay. */
    public ZooKeeperLockStore(CuratorFramework client) {
        this("zookeeper", client, false, DEFAULT_ROOT_PATH, DEFAULT_OPERATION_TIMEOUT, DEFAULT_TAKEOVER_DELAY);
    }

    /**
     * @param storeName        the store's name, in errors and logs
     * @param client           the client; started here if nobody started it yet
     * @param ownsClient       whether {@link #close()} closes {@code client} too
     * @param rootPath         absolute path of the node under which lock nodes live, not {@code /}
     * @param operationTimeout longest one operation waits for ZooKeeper, a reconnection included
     * @param takeoverDelay    how long past a lease (by the ensemble's clock) a contender waits before removing a
     *                         node its holder left
     */
    public ZooKeeperLockStore(String storeName, CuratorFramework client, boolean ownsClient, String rootPath,
            Duration operationTimeout, Duration takeoverDelay) {
        this.storeName = storeName;
        this.client = client;
        this.ownsClient = ownsClient;
        this.rootPath = rootPath.endsWith("/") ? rootPath.substring(0, rootPath.length() - 1) : rootPath;
        this.operationTimeout = operationTimeout;
        this.operationTimeoutNanos = operationTimeout.toNanos();
        this.takeoverDelayMillis = takeoverDelay.toMillis();
        this.cleanupWindowNanos = takeoverDelay.toNanos() / 2;
        this.timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-zookeeper-" + storeName);
            thread.setDaemon(true);
            return thread;
        });
        this.timers.setRemoveOnCancelPolicy(true);
        client.getConnectionStateListenable().addListener(connectionListener);
        if (client.getState() == CuratorFrameworkState.LATENT) {
            client.start();
        }
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        long start = System.nanoTime();
        long deadline = start + operationTimeoutNanos;
        String path = pathFor(key);
        // Always asked of ZooKeeper, never refused from a local record alone: another instance may have released a
        // lock this store took (Unlock through any instance works), and its local record would still look live.
        long leaseMillis = TimeUnit.SECONDS.toMillis(expireSeconds);
        byte[] data = LockNodeCodec.nodeData(leaseMillis, owner);
        String creation = path + '\n' + owner;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZooKeeper zk = connectedZooKeeper(deadline, "TryLock", key);
            List<ACL> acl = nodeAcl(zk, deadline, key);
            long sent = System.nanoTime();
            long leaseEndNanos = sent + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
            Reply created = null;
            LockStoreException unanswered = null;
            creating.merge(creation, 1, Integer::sum);
            try {
                created = await(Reply.create(zk, path, data, acl), deadline, "TryLock", key);
                if (created.code() == Code.OK) {
                    serverClock.observe(created.stat.getMtime(), sent, created.receivedNanos);
                    track(key, path, owner, created.stat, zk.getSessionId(), leaseEndNanos);
                    return true;
                }
            } catch (LockStoreException e) {
                unanswered = e;
            } finally {
                // Only once tracked: until then a cleanup could take this owner's new node for a leftover one.
                creating.computeIfPresent(creation, (name, count) -> count > 1 ? count - 1 : null);
            }
            if (unanswered != null || created.code() == Code.CONNECTIONLOSS) {
                // The node may have been created: remove it once reachable rather than leave it to its lease.
                removeWhenReachable(new Held(key, path, owner, Held.UNKNOWN_CZXID, 0, zk.getSessionId(),
                        leaseEndNanos));
                throw unanswered != null ? unanswered : failure("TryLock", key, created.exception(path));
            }
            switch (created.code()) {
                case NONODE -> nodeAcl = null; // the root was removed: create it again
                case NODEEXISTS -> {
                    if (!removeIfAbandoned(zk, key, path, deadline)) {
                        return false;
                    }
                }
                default -> throw failure("TryLock", key, created.exception(path));
            }
        }
        return false; // the node kept coming back: someone else is taking it
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        long deadline = System.nanoTime() + operationTimeoutNanos;
        String path = pathFor(key);
        Held mine = held.get(path);
        if (mine != null && mine.owner.equals(owner)) {
            LockStatus status = releaseHeld(mine, deadline);
            if (status != null) {
                return status;
            }
        }
        return unlockByReading(key, path, owner, deadline);
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        long deadline = System.nanoTime() + operationTimeoutNanos;
        String path = pathFor(key);
        long leaseMillis = TimeUnit.SECONDS.toMillis(expireSeconds);
        Held mine = held.get(path);
        if (mine != null && mine.owner.equals(owner)) {
            LockStatus status = extendHeld(mine, leaseMillis, deadline);
            if (status != null) {
                return status;
            }
        }
        return keepAliveByReading(key, path, owner, leaseMillis, deadline);
    }

    /** Locks reported lost because the ZooKeeper connection was suspended or the session lost, since the start. */
    public long lostLockCount() {
        return lostLocks.get();
    }

    /** Locks this store holds now, by its own view of their leases. */
    public int heldLockCount() {
        long now = System.nanoTime();
        return (int) held.values().stream().filter(h -> h.isLive(now)).count();
    }

    /** Whether the client is connected to ZooKeeper now. */
    public boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    public String storeName() {
        return storeName;
    }

    public String rootPath() {
        return rootPath;
    }

    /** The client's connection string, for health details. */
    public String connectionString() {
        return client.getZookeeperClient().getCurrentConnectionString();
    }

    /** The path of the node of {@code key}. */
    public String pathFor(String key) {
        return rootPath + '/' + LockNodeCodec.nodeName(key);
    }

    /**
     * Releases the locks this store still holds (best effort, a second at most), stops its timer and, when it owns the
     * client, closes the client.
     */
    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(connectionListener);
        timers.shutdownNow();
        releaseAllQuietly();
        if (ownsClient) {
            client.close();
        }
    }

    // ---- holder-side operations on locks this store took or renewed -------------------------------------------

    /** Unlock through the local record; null when the record cannot decide (expired, changed) and the node must be read. */
    private LockStatus releaseHeld(Held mine, long deadline) {
        ZooKeeper zk = connectedZooKeeper(deadline, "Unlock", mine.key);
        mine.lock.lock();
        try {
            if (!mine.isLive(System.nanoTime()) || zk.getSessionId() != mine.sessionId) {
                return null;
            }
            mine.finish();
            held.remove(mine.path, mine);
            Reply deleted;
            try {
                deleted = await(Reply.delete(zk, mine.path, mine.version), deadline, "Unlock", mine.key);
            } catch (RuntimeException e) {
                // Unknown whether it was deleted: the owner wants it released, so finish the job once reachable.
                removeWhenReachable(mine);
                throw e;
            }
            return switch (deleted.code()) {
                case OK -> LockStatus.SUCCESS;
                case NONODE -> LockStatus.LOCK_UNEXIST;
                case BADVERSION -> null; // changed by another instance: read it
                case CONNECTIONLOSS -> {
                    removeWhenReachable(mine); // unknown whether it was deleted, as above
                    throw failure("Unlock", mine.key, deleted.exception(mine.path));
                }
                default -> throw failure("Unlock", mine.key, deleted.exception(mine.path));
            };
        } finally {
            mine.lock.unlock();
        }
    }

    /** LockKeepAlive through the local record; null when the node must be read. */
    private LockStatus extendHeld(Held mine, long leaseMillis, long deadline) {
        ZooKeeper zk = connectedZooKeeper(deadline, "LockKeepAlive", mine.key);
        mine.lock.lock();
        try {
            long sent = System.nanoTime();
            if (!mine.isLive(sent) || zk.getSessionId() != mine.sessionId) {
                return null;
            }
            Reply set = await(Reply.setData(zk, mine.path, LockNodeCodec.nodeData(leaseMillis, mine.owner), mine.version), deadline,
                    "LockKeepAlive", mine.key);
            switch (set.code()) {
                case OK -> {
                    serverClock.observe(set.stat.getMtime(), sent, set.receivedNanos);
                    mine.version = set.stat.getVersion();
                    mine.leaseEndNanos = sent + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
                    schedule(mine);
                    return LockStatus.SUCCESS;
                }
                case NONODE -> {
                    mine.finish();
                    held.remove(mine.path, mine);
                    return LockStatus.LOCK_UNEXIST;
                }
                case BADVERSION -> {
                    return null;
                }
                default -> throw failure("LockKeepAlive", mine.key, set.exception(mine.path));
            }
        } finally {
            mine.lock.unlock();
        }
    }

    /** Records a lock this store took or renewed, with a timer at the end of its lease. */
    private void track(String key, String path, String owner, Stat stat, long sessionId, long leaseEndNanos) {
        Held record = new Held(key, path, owner, stat.getCzxid(), stat.getVersion(), sessionId, leaseEndNanos);
        schedule(record);
        Held previous = held.put(path, record);
        if (previous != null) {
            previous.finish(); // its node is gone, or ZooKeeper would not have granted or renewed this one
        }
    }

    private void schedule(Held record) {
        if (record.expiry != null) {
            record.expiry.cancel(false);
        }
        try {
            record.expiry = timers.schedule(() -> expire(record), record.leaseEndNanos - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the session's end or a contender removes the node
        }
    }

    /** The lease of {@code record} is over by this store's clock: forget it and remove its node. */
    private void expire(Held record) {
        if (!record.lock.tryLock()) {
            // An Unlock or LockKeepAlive is in flight on it; look again shortly.
            try {
                timers.schedule(() -> expire(record), BUSY_RETRY_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
            return;
        }
        try {
            if (record.finished) {
                return;
            }
            if (System.nanoTime() - record.leaseEndNanos < 0) {
                schedule(record); // renewed meanwhile
                return;
            }
            record.finish();
            held.remove(record.path, record);
        } finally {
            record.lock.unlock();
        }
        removeNodeOf(record);
    }

    /**
     * Deletes the node of a lock this store gave up, if it is still that node at that version, and only shortly after
     * the lease at the latest: later a contender may be taking it over (see the class documentation). Asynchronous.
     * Never deletes a node that a live record tracks, or that may be one a TryLock of the same owner is creating: a
     * record of a create whose answer was lost matches any node of this session and owner at version 0, the owner's
     * next successful TryLock included. (Requests of one session are answered in order, so a node seen here that such
     * a TryLock created was either tracked already or still counted in {@link #creating}.)
     */
    private void removeNodeOf(Held record) {
        ZooKeeper zk;
        try {
            zk = client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return; // not connected: the session's end or a contender removes the node
        }
        if (!zk.getState().isConnected() || zk.getSessionId() != record.sessionId) {
            return;
        }
        zk.getData(record.path, false, (rc, path, ctx, data, stat) -> {
            if (rc != Code.OK.intValue() || !record.isNode(stat, data)
                    || System.nanoTime() - record.leaseEndNanos >= cleanupWindowNanos
                    || tracked(record, stat.getCzxid())) {
                return;
            }
            zk.delete(record.path, stat.getVersion(), (deleteRc, deletePath, deleteCtx) -> {
                if (deleteRc == Code.OK.intValue() && logger.isDebugEnabled()) {
                    logger.debug("Removed the node of expired lock '" + record.key + "' of store '" + storeName + "'");
                }
            }, null);
        }, null);
    }

    /** Whether a live record other than {@code record} tracks the node {@code czxid}, or a TryLock may be creating it. */
    private boolean tracked(Held record, long czxid) {
        Held current = held.get(record.path);
        if (current != null && current != record && current.czxid == czxid && !current.finished) {
            return true;
        }
        return record.czxid == Held.UNKNOWN_CZXID && creating.containsKey(record.path + '\n' + record.owner);
    }

    /** Removes the node of {@code record} now if connected, and again after the next reconnection. */
    private void removeWhenReachable(Held record) {
        long now = System.nanoTime();
        synchronized (pendingRemoval) {
            // Records past their cleanup window can no longer remove anything: drop them rather than pile them up.
            pendingRemoval.removeIf(pending -> now - pending.leaseEndNanos >= cleanupWindowNanos);
            pendingRemoval.add(record);
        }
        removeNodeOf(record);
    }

    // ---- operations that read the node first ---------------------------------------------------------------

    private LockStatus unlockByReading(String key, String path, String owner, long deadline) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZooKeeper zk = connectedZooKeeper(deadline, "Unlock", key);
            Reply read = await(Reply.getData(zk, path), deadline, "Unlock", key);
            if (read.code() == Code.NONODE) {
                return LockStatus.LOCK_UNEXIST;
            }
            if (read.code() != Code.OK) {
                throw failure("Unlock", key, read.exception(path));
            }
            LockNodeCodec.LockNode node = LockNodeCodec.parse(read.data);
            if (node == null || !node.owner().equals(owner)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            if (leaseOver(zk, key, path, node, read.stat, deadline)) {
                return LockStatus.LOCK_UNEXIST;
            }
            Reply deleted = await(Reply.delete(zk, path, read.stat.getVersion()), deadline, "Unlock", key);
            switch (deleted.code()) {
                case OK -> {
                    forget(path, read.stat.getCzxid());
                    return LockStatus.SUCCESS;
                }
                case NONODE -> {
                    return LockStatus.LOCK_UNEXIST;
                }
                case BADVERSION -> {
                    // changed meanwhile: read again
                }
                default -> throw failure("Unlock", key, deleted.exception(path));
            }
        }
        throw new LockStoreException(storeName, "Unlock of '" + key + "' failed: the lock node kept changing");
    }

    private LockStatus keepAliveByReading(String key, String path, String owner, long leaseMillis, long deadline) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZooKeeper zk = connectedZooKeeper(deadline, "LockKeepAlive", key);
            Reply read = await(Reply.getData(zk, path), deadline, "LockKeepAlive", key);
            if (read.code() == Code.NONODE) {
                return LockStatus.LOCK_UNEXIST;
            }
            if (read.code() != Code.OK) {
                throw failure("LockKeepAlive", key, read.exception(path));
            }
            LockNodeCodec.LockNode node = LockNodeCodec.parse(read.data);
            if (node == null || !node.owner().equals(owner)) {
                return LockStatus.LOCK_BELONG_TO_OTHERS;
            }
            if (leaseOver(zk, key, path, node, read.stat, deadline)) {
                return LockStatus.LOCK_UNEXIST;
            }
            long sent = System.nanoTime();
            Reply set = await(Reply.setData(zk, path, LockNodeCodec.nodeData(leaseMillis, owner), read.stat.getVersion()), deadline,
                    "LockKeepAlive", key);
            switch (set.code()) {
                case OK -> {
                    serverClock.observe(set.stat.getMtime(), sent, set.receivedNanos);
                    track(key, path, owner, set.stat, zk.getSessionId(),
                            sent + TimeUnit.MILLISECONDS.toNanos(leaseMillis));
                    return LockStatus.SUCCESS;
                }
                case NONODE -> {
                    return LockStatus.LOCK_UNEXIST;
                }
                case BADVERSION -> {
                    // changed meanwhile: read again
                }
                default -> throw failure("LockKeepAlive", key, set.exception(path));
            }
        }
        throw new LockStoreException(storeName, "LockKeepAlive of '" + key + "' failed: the lock node kept changing");
    }

    /**
     * Whether the lease of a node its owner asks about is over. When this store took or renewed the node as it is now
     * (same creation, same version), its own record decides: its clock ends the lease first. Otherwise, whichever
     * session created the node, the ensemble's clock decides: another instance may have renewed it after this store's
     * record ended, or this store's record may have been dropped (lease over here, or reported lost) while the node,
     * unchanged, still holds a lease by the ensemble's clock.
     */
    private boolean leaseOver(ZooKeeper zk, String key, String path, LockNodeCodec.LockNode node, Stat stat, long deadline) {
        Held mine = held.get(path);
        if (mine != null && mine.czxid == stat.getCzxid() && mine.version == stat.getVersion()) {
            return !mine.isLive(System.nanoTime());
        }
        return ensembleTimeSurelyPast(zk, key, stat.getMtime() + node.leaseMillis(), deadline);
    }

    /**
     * TryLock found the node taken: deletes it when its holder left it past its lease plus the takeover delay.
     * Returns whether a create is worth trying again.
     */
    private boolean removeIfAbandoned(ZooKeeper zk, String key, String path, long deadline) {
        Reply read = await(Reply.getData(zk, path), deadline, "TryLock", key);
        if (read.code() == Code.NONODE) {
            return true; // released meanwhile
        }
        if (read.code() != Code.OK) {
            throw failure("TryLock", key, read.exception(path));
        }
        LockNodeCodec.LockNode node = LockNodeCodec.parse(read.data);
        if (node == null) {
            return false; // not a lock node: never touched
        }
        Held mine = held.get(path);
        if (mine != null && mine.czxid == read.stat.getCzxid() && mine.isLive(System.nanoTime())) {
            return false;
        }
        long takeoverAt = read.stat.getMtime() + node.leaseMillis() + takeoverDelayMillis;
        if (!ensembleTimeSurelyPast(zk, key, takeoverAt, deadline)) {
            return false;
        }
        Reply deleted = await(Reply.delete(zk, path, read.stat.getVersion()), deadline, "TryLock", key);
        return switch (deleted.code()) {
            case OK -> {
                logger.info("Lock store '" + storeName + "': took over lock '" + key
                        + "', left by its holder past its lease");
                yield true;
            }
            case NONODE -> true;
            case BADVERSION -> false; // renewed or replaced meanwhile
            default -> throw failure("TryLock", key, deleted.exception(path));
        };
    }

    /** Whether the ensemble's clock is surely at or past {@code serverMillis}; writes to the root to find out if needed. */
    private boolean ensembleTimeSurelyPast(ZooKeeper zk, String key, long serverMillis, long deadline) {
        long now = System.nanoTime();
        if (serverClock.surelyBefore(serverMillis, now)) {
            return false;
        }
        if (serverClock.surelyPast(serverMillis, now)) {
            return true;
        }
        long sent = System.nanoTime();
        Reply probe = await(Reply.setData(zk, rootPath, NO_DATA, -1), deadline, "reading the ensemble's clock", key);
        if (probe.code() != Code.OK) {
            throw failure("reading the ensemble's clock", key, probe.exception(rootPath));
        }
        serverClock.observe(probe.stat.getMtime(), sent, probe.receivedNanos);
        return serverClock.surelyPast(serverMillis, System.nanoTime());
    }

    private void forget(String path, long czxid) {
        Held mine = held.get(path);
        if (mine != null && mine.czxid == czxid) {
            mine.finish();
            held.remove(path, mine);
        }
    }

    // ---- connection ------------------------------------------------------------------------------------------

    private void connectionStateChanged(ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> reportLost(state);
            case RECONNECTED -> {
                List<Held> lost;
                synchronized (pendingRemoval) {
                    lost = new ArrayList<>(pendingRemoval);
                    pendingRemoval.clear();
                }
                lost.forEach(this::removeNodeOf); // only if the session survived and it is still that node
            }
            default -> {
            }
        }
    }

    private void reportLost(ConnectionState state) {
        long now = System.nanoTime();
        List<String> keys = new ArrayList<>();
        long sessionId = 0;
        for (Held record : held.values()) {
            if (held.remove(record.path, record) && record.isLive(now)) {
                record.finish();
                keys.add(record.key);
                sessionId = record.sessionId;
                synchronized (pendingRemoval) {
                    pendingRemoval.add(record); // removed after a reconnection, if the session survived
                }
            } else {
                record.finish();
            }
        }
        if (state == ConnectionState.LOST) {
            synchronized (pendingRemoval) {
                pendingRemoval.clear(); // the session is over: its nodes are gone
            }
        }
        if (!keys.isEmpty()) {
            lostLocks.addAndGet(keys.size());
            logger.warn("Lock store '" + storeName + "': ZooKeeper connection " + state + "; " + keys.size()
                    + " lock(s) held through session 0x" + Long.toHexString(sessionId)
                    + " are lost and must be taken again: " + keys);
        }
    }

    private ZooKeeper connectedZooKeeper(long deadline, String operation, String key) {
        CuratorZookeeperClient zookeeperClient = client.getZookeeperClient();
        if (!zookeeperClient.isConnected()) {
            long waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            boolean connected;
            try {
                connected = waitMillis > 0 && client.blockUntilConnected((int) waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(operation, key, e);
            }
            if (!connected) {
                throw new LockStoreException(storeName, operation + " of '" + key + "' failed: not connected to "
                        + "ZooKeeper at " + zookeeperClient.getCurrentConnectionString() + " within "
                        + operationTimeout.toMillis() + " ms");
            }
        }
        try {
            return zookeeperClient.getZooKeeper();
        } catch (Exception e) {
            throw failure(operation, key, e);
        }
    }

    /** The ACL of lock nodes: the root's. Creates the root (and its parents, open) the first time it is missing. */
    private List<ACL> nodeAcl(ZooKeeper zk, long deadline, String key) {
        List<ACL> acl = nodeAcl;
        if (acl != null) {
            return acl;
        }
        Reply read = await(Reply.getAcl(zk, rootPath), deadline, "TryLock", key);
        if (read.code() == Code.NONODE) {
            int slash = 0;
            while (slash >= 0) {
                slash = rootPath.indexOf('/', slash + 1);
                String path = slash < 0 ? rootPath : rootPath.substring(0, slash);
                Reply created = await(Reply.create(zk, path, NO_DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT), deadline, "TryLock", key);
                if (created.code() != Code.OK && created.code() != Code.NODEEXISTS) {
                    throw failure("creating the root node " + path, key, created.exception(path));
                }
            }
            read = await(Reply.getAcl(zk, rootPath), deadline, "TryLock", key);
        }
        if (read.code() != Code.OK) {
            throw failure("reading the ACL of " + rootPath, key, read.exception(rootPath));
        }
        nodeAcl = read.acl;
        return read.acl;
    }

    private Reply await(Reply reply, long deadline, String operation, String key) {
        try {
            return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new LockStoreException(storeName, operation + " of '" + key + "' failed: no answer from ZooKeeper "
                    + "within " + operationTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(operation, key, e);
        } catch (ExecutionException e) {
            throw failure(operation, key, e.getCause());
        }
    }

    private LockStoreException failure(String operation, String key, Throwable cause) {
        return new LockStoreException(storeName, operation + " of '" + key + "'", cause);
    }

    private void releaseAllQuietly() {
        List<Held> live = new ArrayList<>();
        long now = System.nanoTime();
        held.values().forEach(record -> {
            if (record.isLive(now)) {
                record.finish();
                live.add(record);
            }
        });
        held.clear();
        if (live.isEmpty()) {
            return;
        }
        try {
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            if (!zk.getState().isConnected()) {
                return;
            }
            CountDownLatch done = new CountDownLatch(live.size());
            for (Held record : live) {
                zk.delete(record.path, record.version, (rc, path, ctx) -> done.countDown(), null);
            }
            done.await(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.debug("Lock store '" + storeName + "': could not release " + live.size() + " lock(s) on close; "
                    + "their leases or the session's end free them", e);
        }
    }

    /**
     * A lock this store took or renewed, as this store sees it. Changed under {@link #lock} by the holder's
     * operations and its timer, so that at most one of them writes to the node at a time.
     */
    private static final class Held {
        static final long UNKNOWN_CZXID = -1;

        final String key;
        final String path;
        final String owner;
        final long czxid;
        final long sessionId;
        final ReentrantLock lock = new ReentrantLock();
        volatile int version;
        volatile long leaseEndNanos;
        volatile boolean finished;
        volatile ScheduledFuture<?> expiry;

        Held(String key, String path, String owner, long czxid, int version, long sessionId, long leaseEndNanos) {
            this.key = key;
            this.path = path;
            this.owner = owner;
            this.czxid = czxid;
            this.version = version;
            this.sessionId = sessionId;
            this.leaseEndNanos = leaseEndNanos;
        }

        /** Whether the node read is the one this record is about (same creation, unchanged since). */
        boolean isNode(Stat stat, byte[] data) {
            if (czxid == UNKNOWN_CZXID) {
                // A create whose answer was lost: ours if this session made it for this owner (owners are unique),
                // unless the owner's next TryLock made it; removeNodeOf rules that case out.
                LockNodeCodec.LockNode node = LockNodeCodec.parse(data);
                return stat.getEphemeralOwner() == sessionId && stat.getVersion() == 0 && node != null
                        && node.owner().equals(owner);
            }
            return stat.getCzxid() == czxid && stat.getVersion() == version;
        }

        boolean isLive(long nowNanos) {
            return !finished && nowNanos - leaseEndNanos < 0;
        }

        void finish() {
            finished = true;
            ScheduledFuture<?> task = expiry;
            if (task != null) {
                task.cancel(false);
            }
        }
    }

    /** One asynchronous ZooKeeper request and its answer. */
    private static final class Reply extends CompletableFuture<Reply> implements AsyncCallback.Create2Callback,
            AsyncCallback.StatCallback, AsyncCallback.DataCallback, AsyncCallback.VoidCallback,
            AsyncCallback.ACLCallback {

        int rc;
        Stat stat;
        byte[] data;
        List<ACL> acl;
        long receivedNanos;

        static Reply create(ZooKeeper zk, String path, byte[] data, List<ACL> acl) {
            return create(zk, path, data, acl, CreateMode.EPHEMERAL);
        }

        static Reply create(ZooKeeper zk, String path, byte[] data, List<ACL> acl, CreateMode mode) {
            Reply reply = new Reply();
            zk.create(path, data, acl, mode, (AsyncCallback.Create2Callback) reply, null);
            return reply;
        }

        static Reply delete(ZooKeeper zk, String path, int version) {
            Reply reply = new Reply();
            zk.delete(path, version, reply, null);
            return reply;
        }

        static Reply setData(ZooKeeper zk, String path, byte[] data, int version) {
            Reply reply = new Reply();
            zk.setData(path, data, version, reply, null);
            return reply;
        }

        static Reply getData(ZooKeeper zk, String path) {
            Reply reply = new Reply();
            zk.getData(path, false, reply, null);
            return reply;
        }

        static Reply getAcl(ZooKeeper zk, String path) {
            Reply reply = new Reply();
            zk.getACL(path, new Stat(), reply, null);
            return reply;
        }

        Code code() {
            return Code.get(rc);
        }

        KeeperException exception(String path) {
            return KeeperException.create(code(), path);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, String name, Stat stat) {
            done(rc, stat, null, null);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, Stat stat) {
            done(rc, stat, null, null);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            done(rc, stat, data, null);
        }

        @Override
        public void processResult(int rc, String path, Object ctx) {
            done(rc, null, null, null);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, List<ACL> acl, Stat stat) {
            done(rc, stat, null, acl);
        }

        private void done(int rc, Stat stat, byte[] data, List<ACL> acl) {
            this.receivedNanos = System.nanoTime();
            this.rc = rc;
            this.stat = stat;
            this.data = data;
            this.acl = acl;
            complete(this);
        }
    }
}
