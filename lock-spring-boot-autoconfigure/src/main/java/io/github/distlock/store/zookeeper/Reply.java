package io.github.distlock.store.zookeeper;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The answer to one asynchronous ZooKeeper request, as a future: it is the callback of the request, completed with
 * itself. Built just before its request is sent, so {@link #sentNanos} precedes whatever the server did, and
 * {@link #receivedNanos} follows it: the two bound the moment the leader stamped a write.
 *
 * <p>Threads: made by a caller of the store; completed on ZooKeeper's event thread. The fields are written before
 * {@link #complete} and read after the future's completion, which orders them.
 */
final class Reply extends CompletableFuture<Reply> implements AsyncCallback.Create2Callback,
        AsyncCallback.StatCallback, AsyncCallback.DataCallback, AsyncCallback.VoidCallback, AsyncCallback.ACLCallback,
        AsyncCallback.MultiCallback {

    private final LongSupplier nanoClock;
    final long sentNanos;
    int rc;
    Stat stat;
    byte[] data;
    List<ACL> acl;
    long receivedNanos;

    Reply(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.sentNanos = nanoClock.getAsLong();
    }

    Code code() {
        return Code.get(rc);
    }

    KeeperException exception(String path) {
        return KeeperException.create(code(), path);
    }

    /** What a successful write says about the ensemble's clock. */
    ServerClock.Sample sample() {
        return new ServerClock.Sample(stat.getMtime(), sentNanos, receivedNanos);
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

    /** A {@code multi}: {@link #stat} is that of the node it created, if any (a create2 op answers it). */
    @Override
    public void processResult(int rc, String path, Object ctx, List<OpResult> opResults) {
        Stat created = null;
        if (opResults != null) {
            for (OpResult result : opResults) {
                if (result instanceof OpResult.CreateResult create) {
                    created = create.getStat();
                }
            }
        }
        done(rc, created, null, null);
    }

    private void done(int rc, Stat stat, byte[] data, List<ACL> acl) {
        this.receivedNanos = nanoClock.getAsLong();
        this.rc = rc;
        this.stat = stat;
        this.data = data;
        this.acl = acl;
        complete(this);
    }
}
