package io.github.distlock.spi;

/**
 * Optional capability, a marker: the store's {@link #tryLock}, {@link #unlock} and {@link #keepAlive} never wait
 * for I/O, a remote server or another caller beyond a critical section of microseconds (the in-memory store). A
 * caller may then run them on threads that must not block, such as a gRPC server's network event loop, and skip the
 * hand-off to a worker thread. A store that talks to a server must not implement it: one slow answer would stall
 * every connection served by that thread.
 */
public interface NonBlockingLockStore extends LockStore {
}
