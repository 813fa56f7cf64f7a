package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockLossReporting;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * Locks in ZooKeeper, through one {@link CuratorFramework}: one ZooKeeper session serves every lock of the store. A
 * lock is an ephemeral node; TryLock is one {@code create}, Unlock one {@code delete} with the version this store got
 * back. How leases end without TTL nodes, and why that is safe under clock skew, is explained in README.md, section
 * "ZooKeeper store"; the package documentation says which class does what.
 *
 * <p>Threads: any number of callers at once, and {@link #close()}. The state lives in the parts (book of held locks,
 * ensemble clock, root node, cleanup), each safe for the threads that touch it.
 */
public class ZooKeeperLockStore implements ReleaseAwaitingLockStore, HandOverLockStore, LockLossReporting,
        AutoCloseable {

    /** Default root under which lock nodes live. */
    public static final String DEFAULT_ROOT_PATH = ZooKeeperLockStoreProperties.DEFAULT_ROOT_PATH;
    /** Default bound on one operation, waiting for a reconnection included. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = ZooKeeperLockStoreProperties.DEFAULT_OPERATION_TIMEOUT;
    /** Default wait, past a lease by the ensemble's clock, before a contender removes a node its holder left. */
    public static final Duration DEFAULT_TAKEOVER_DELAY = ZooKeeperLockStoreProperties.DEFAULT_TAKEOVER_DELAY;

    private static final int MAX_ATTEMPTS = 3;

    private final String storeName;
    private final CuratorFramework client;
    private final boolean ownsClient;
    private final LongSupplier nanoClock;
    private final RootNode root;
    private final Requests requests;
    private final ServerClock serverClock;
    private final HeldLocks book;
    private final NodeCleanup cleanup;
    private final ConnectionWatch connectionWatch;
    private final RecordOperations byRecord;
    private final ReadingOperations byReading;
    private final HandOverOperations handOvers;
    private final ReleaseWatches releaseWatches;

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
        this(storeName, client, ownsClient, rootPath, operationTimeout, takeoverDelay, System::nanoTime);
    }

    /** As above, on {@code nanoClock}: the monotonic clock that times leases and waits (tests pass their own). */
    ZooKeeperLockStore(String storeName, CuratorFramework client, boolean ownsClient, String rootPath,
            Duration operationTimeout, Duration takeoverDelay, LongSupplier nanoClock) {
        this.storeName = storeName;
        this.client = client;
        this.ownsClient = ownsClient;
        this.nanoClock = nanoClock;
        this.root = new RootNode(rootPath);
        this.requests = new Requests(storeName, client, operationTimeout, nanoClock);
        this.serverClock = new ServerClock(nanoClock);
        // The book and the cleanup need each other: the book's timer reaches the cleanup through expired().
        this.book = new HeldLocks(storeName, nanoClock, this::expired);
        PathClaims claims = new PathClaims();
        this.cleanup = new NodeCleanup(storeName, requests, book, claims, nanoClock, takeoverDelay.toNanos() / 2);
        this.connectionWatch = new ConnectionWatch(storeName, book, cleanup);
        this.byRecord = new RecordOperations(book, claims, cleanup, serverClock, nanoClock);
        this.byReading = new ReadingOperations(storeName, book, claims, serverClock, root, nanoClock,
                takeoverDelay.toMillis());
        this.handOvers = new HandOverOperations(book, claims, cleanup, serverClock, root, byReading, nanoClock);
        this.releaseWatches = new ReleaseWatches(requests, this::pathFor, serverClock, nanoClock,
                takeoverDelay.toMillis());
        client.getConnectionStateListenable().addListener(connectionWatch);
        client.getConnectionStateListenable().addListener(releaseWatches);
        if (client.getState() == CuratorFrameworkState.LATENT) {
            client.start();
        }
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    /**
     * TryLock; the fencing token is the lock node's creation zxid ({@code czxid}, from the create's {@code Stat}):
     * the ensemble orders every transaction by zxid, so each new node of a key has a larger one than every earlier
     * node, across sessions, restarts and leader elections.
     */
    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        Requests.Operation op = requests.begin("TryLock", key);
        String path = pathFor(key);
        // Always asked of ZooKeeper, never refused from a local record alone: another instance may have released a
        // lock this store took (Unlock through any instance works), and its local record would still look live.
        long leaseMillis = TimeUnit.SECONDS.toMillis(expireSeconds);
        byte[] data = LockNodeCodec.nodeData(leaseMillis, owner);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZooKeeper zk = op.connected();
            List<ACL> acl = root.acl(zk, op);
            // The lease starts before the create is sent, so this store's view of it ends before the ensemble's.
            long leaseEndNanos = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
            Reply created = null;
            LockStoreException unanswered = null;
            book.creating(path, owner);
            try {
                created = op.create(zk, path, data, acl, CreateMode.EPHEMERAL);
                if (created.code() == Code.OK) {
                    serverClock.observe(created.sample());
                    book.track(new Held(key, path, owner, created.stat.getCzxid(), created.stat.getVersion(),
                            zk.getSessionId(), leaseEndNanos));
                    return created.stat.getCzxid();
                }
            } catch (LockStoreException e) {
                unanswered = e;
            } finally {
                // Only once tracked: until then a cleanup could take this owner's new node for a leftover one.
                book.created(path, owner);
            }
            if (unanswered != null || created.code() == Code.CONNECTIONLOSS) {
                // The node may have been created: remove it once reachable rather than leave it to its lease.
                cleanup.removeWhenReachable(new Held(key, path, owner, Held.UNKNOWN_CZXID, 0, zk.getSessionId(),
                        leaseEndNanos));
                throw unanswered != null ? unanswered : op.failure(created.exception(path));
            }
            switch (created.code()) {
                case NONODE -> root.missing(); // the root was removed: create it again
                case NODEEXISTS -> {
                    if (!byReading.removeIfAbandoned(zk, op, key, path)) {
                        return NOT_ACQUIRED;
                    }
                }
                default -> throw op.failure(created.exception(path));
            }
        }
        return NOT_ACQUIRED; // the node kept coming back: someone else is taking it
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        Requests.Operation op = requests.begin("Unlock", key);
        String path = pathFor(key);
        Held mine = book.get(path);
        if (mine != null && mine.owner.equals(owner)) {
            LockStatus status = byRecord.unlock(op, mine);
            if (status != null) {
                return status;
            }
        }
        return byReading.unlock(op, path, owner);
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        Requests.Operation op = requests.begin("LockKeepAlive", key);
        String path = pathFor(key);
        long leaseMillis = TimeUnit.SECONDS.toMillis(expireSeconds);
        Held mine = book.get(path);
        if (mine != null && mine.owner.equals(owner)) {
            LockStatus status = byRecord.keepAlive(op, mine, leaseMillis);
            if (status != null) {
                return status;
            }
        }
        return byReading.keepAlive(op, key, path, owner, leaseMillis);
    }

    /**
     * Hand-over: one {@code multi} that deletes the holder's node and creates the next owner's in its place, so the
     * next owner's token (the new node's czxid, the multi's zxid) is larger than the holder's (see
     * {@link HandOverOperations}).
     */
    @Override
    public long handOver(String key, String owner, String nextOwner, int expireSeconds) {
        Requests.Operation op = requests.begin("HandOver", key);
        return handOvers.handOver(op, key, pathFor(key), owner, nextOwner, TimeUnit.SECONDS.toMillis(expireSeconds));
    }

    /**
     * Blocks until the node of {@code key} is deleted or changed, a contender may take it over, or {@code maxWait}
     * passes: one ZooKeeper watch per waited key, shared by this store's waiters (see {@link ReleaseWatches}).
     */
    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        releaseWatches.awaitRelease(key, maxWait);
    }

    /** The connection listener, for tests that replay a disconnection. */
    ConnectionWatch connectionWatch() {
        return connectionWatch;
    }

    /** The waiting part, for tests. */
    ReleaseWatches releaseWatches() {
        return releaseWatches;
    }

    /** Hears of every lock reported lost when the connection is suspended or the session lost. */
    @Override
    public void addLockLossListener(LockLossListener listener) {
        connectionWatch.addListener(listener);
    }

    @Override
    public void removeLockLossListener(LockLossListener listener) {
        connectionWatch.removeListener(listener);
    }

    /** Locks reported lost because the ZooKeeper connection was suspended or the session lost, since the start. */
    public long lostLockCount() {
        return connectionWatch.lostLockCount();
    }

    /** Locks this store holds now, by its own view of their leases. */
    public int heldLockCount() {
        return book.liveCount();
    }

    /** Whether the client is connected to ZooKeeper now. */
    public boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    public String storeName() {
        return storeName;
    }

    public String rootPath() {
        return root.path();
    }

    /** The client's connection string, for health details. */
    public String connectionString() {
        return client.getZookeeperClient().getCurrentConnectionString();
    }

    /** The path of the node of {@code key}. */
    public String pathFor(String key) {
        return root.path() + '/' + LockNodeCodec.nodeName(key);
    }

    /**
     * Releases the locks this store still holds (best effort, a second at most), stops its timer and, when it owns the
     * client, closes the client.
     */
    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(connectionWatch);
        client.getConnectionStateListenable().removeListener(releaseWatches);
        book.close();
        cleanup.releaseAll();
        if (ownsClient) {
            client.close();
        }
    }

    /** The book's timer ended the lease of {@code record}: its node goes, if still safe to delete. */
    private void expired(Held record) {
        cleanup.removeNodeOf(record);
    }
}
