package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.github.distlock.api.LockStoreException;
import org.apache.curator.CuratorZookeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.CreateOptions;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The store's requests to ZooKeeper, made blocking with a deadline. Requests go to the raw ZooKeeper handle, not
 * through Curator's retry loop, so that a write is never resent behind the store's back; every wait, for a
 * reconnection or for an answer, ends at the deadline of the {@link Operation} it belongs to, and every failure
 * becomes a {@link LockStoreException} naming the operation and the key.
 *
 * <p>Threads: any caller of the store, concurrently; holds nothing mutable.
 */
final class Requests {

    private final String storeName;
    private final CuratorFramework client;
    private final Duration operationTimeout;
    private final LongSupplier nanoClock;

    Requests(String storeName, CuratorFramework client, Duration operationTimeout, LongSupplier nanoClock) {
        this.storeName = storeName;
        this.client = client;
        this.operationTimeout = operationTimeout;
        this.nanoClock = nanoClock;
    }

    /** Starts {@code name} (TryLock, Unlock...) of {@code key}: its deadline is one operation timeout from now. */
    Operation begin(String name, String key) {
        return new Operation(name, key, nanoClock.getAsLong() + operationTimeout.toNanos());
    }

    /** The ZooKeeper handle if it is connected now, else null: for cleanups, which never wait. */
    ZooKeeper connectedOrNull() {
        ZooKeeper zk;
        try {
            zk = client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return null;
        }
        return zk.getState().isConnected() ? zk : null;
    }

    /** One operation of the store on one key, and the deadline that bounds all its waits. */
    final class Operation {
        private final String name;
        private final String key;
        private final long deadline;

        private Operation(String name, String key, long deadline) {
            this.name = name;
            this.key = key;
            this.deadline = deadline;
        }

        /** The same operation under another name, for errors of a step (creating the root node, say). */
        Operation as(String otherName) {
            return new Operation(otherName, key, deadline);
        }

        /** The ZooKeeper handle, once connected; waits for a reconnection until the deadline. */
        ZooKeeper connected() {
            CuratorZookeeperClient zookeeperClient = client.getZookeeperClient();
            if (!zookeeperClient.isConnected()) {
                long waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - nanoClock.getAsLong());
                boolean connected;
                try {
                    connected = waitMillis > 0 && client.blockUntilConnected((int) waitMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure(e);
                }
                if (!connected) {
                    throw failed("not connected to ZooKeeper at " + zookeeperClient.getCurrentConnectionString()
                            + " within " + operationTimeout.toMillis() + " ms");
                }
            }
            try {
                return zookeeperClient.getZooKeeper();
            } catch (Exception e) {
                throw failure(e);
            }
        }

        Reply create(ZooKeeper zk, String path, byte[] data, List<ACL> acl, CreateMode mode) {
            return call(reply -> zk.create(path, data, acl, mode, (AsyncCallback.Create2Callback) reply, null));
        }

        Reply delete(ZooKeeper zk, String path, int version) {
            return call(reply -> zk.delete(path, version, reply, null));
        }

        /**
         * One {@code multi}: deletes the node at {@code path} if at {@code version} and creates an ephemeral one with
         * {@code data} in its place, or neither. {@code Op.create} with {@link CreateOptions} is a create2 op, whose
         * result carries the new node's {@code Stat} (a plain create op's carries only the path).
         */
        Reply replace(ZooKeeper zk, String path, int version, byte[] data, List<ACL> acl) {
            List<Op> ops = List.of(Op.delete(path, version),
                    Op.create(path, data, CreateOptions.newBuilder(acl, CreateMode.EPHEMERAL).build()));
            return call(reply -> zk.multi(ops, reply, null));
        }

        Reply setData(ZooKeeper zk, String path, byte[] data, int version) {
            return call(reply -> zk.setData(path, data, version, reply, null));
        }

        Reply getData(ZooKeeper zk, String path) {
            return call(reply -> zk.getData(path, false, reply, null));
        }

        Reply getAcl(ZooKeeper zk, String path) {
            return call(reply -> zk.getACL(path, new Stat(), reply, null));
        }

        /** Claims {@code path} among this store's writes ({@link PathClaims}), waiting until the deadline. */
        PathClaims.Claim claim(PathClaims claims, String path) {
            try {
                return claims.claim(path, deadline - nanoClock.getAsLong());
            } catch (TimeoutException e) {
                throw failed("another write of the lock node was still unanswered after "
                        + operationTimeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(e);
            }
        }

        /** This operation failed because of {@code cause}. */
        LockStoreException failure(Throwable cause) {
            return new LockStoreException(storeName, name + " of '" + key + "'", cause);
        }

        /** This operation failed, for the reason given. */
        LockStoreException failed(String reason) {
            return new LockStoreException(storeName, name + " of '" + key + "' failed: " + reason);
        }

        /** Sends a request and waits for its answer until the deadline. */
        private Reply call(Consumer<Reply> send) {
            Reply reply = new Reply(nanoClock);
            send.accept(reply);
            try {
                return reply.get(Math.max(0, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw failed("no answer from ZooKeeper within " + operationTimeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(e);
            } catch (ExecutionException e) {
                throw failure(e.getCause());
            }
        }
    }
}
