package io.github.distlock.store.zookeeper;

import java.util.List;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * The node under which lock nodes live: created (with its parents, open) the first time it is missing; its ACL is the
 * ACL of every lock node, so an administrator who creates it restricts them all. Writing empty data to it is how the
 * store reads the ensemble's clock when it must (every write comes back with the leader's timestamp).
 *
 * <p>Threads: any caller of the store. The ACL is cached in a volatile field; callers racing to create the root
 * both succeed (the loser gets NODEEXISTS) and read the same ACL.
 */
final class RootNode {

    private static final byte[] NO_DATA = new byte[0];

    private final String path;
    private volatile List<ACL> acl;

    /** @param path absolute, not {@code /}; a trailing {@code /} is dropped */
    RootNode(String path) {
        this.path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    String path() {
        return path;
    }

    /** The ACL for lock nodes: the root's. Creates the root first if it is missing. */
    List<ACL> acl(ZooKeeper zk, Requests.Operation op) {
        List<ACL> known = acl;
        if (known != null) {
            return known;
        }
        Reply read = op.getAcl(zk, path);
        if (read.code() == Code.NONODE) {
            int slash = 0;
            while (slash >= 0) {
                slash = path.indexOf('/', slash + 1);
                String step = slash < 0 ? path : path.substring(0, slash);
                Reply created = op.create(zk, step, NO_DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                if (created.code() != Code.OK && created.code() != Code.NODEEXISTS) {
                    throw op.as("creating the root node " + step).failure(created.exception(step));
                }
            }
            read = op.getAcl(zk, path);
        }
        if (read.code() != Code.OK) {
            throw op.as("reading the ACL of " + path).failure(read.exception(path));
        }
        acl = read.acl;
        return read.acl;
    }

    /** A create found no root: someone removed it, so the next {@link #acl} creates it again. */
    void missing() {
        acl = null;
    }

    /** Writes to the root and returns what the leader's timestamp on that write says of the ensemble's clock. */
    ServerClock.Sample touch(ZooKeeper zk, Requests.Operation op) {
        Requests.Operation probe = op.as("reading the ensemble's clock");
        Reply written = probe.setData(zk, path, NO_DATA, -1);
        if (written.code() != Code.OK) {
            throw probe.failure(written.exception(path));
        }
        return written.sample();
    }
}
