package io.github.distlock.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay to a real server, for network faults a test must time exactly: {@link #pause()} holds what
 * clients send (so requests go unanswered without the connection dropping), {@link #pauseReplies()} what the server
 * sends (so requests are carried out but their answers do not arrive), {@link #dropConnections()} closes every
 * relayed connection, discarding what was held. Clients may connect again at once.
 */
public final class PausableTcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean paused;
    private volatile boolean repliesPaused;
    private volatile boolean closed;

    /** Relays 127.0.0.1:{@link #port()} to {@code targetHost:targetPort}. */
    public PausableTcpProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String connectString() {
        return "127.0.0.1:" + port();
    }

    /** From now on, bytes from clients are held, not passed on. */
    public void pause() {
        paused = true;
    }

    /** Passes bytes from clients on again (held ones first, unless dropped). */
    public void resume() {
        paused = false;
    }

    /** From now on, bytes from the server are held, not passed on. */
    public void pauseReplies() {
        repliesPaused = true;
    }

    /** Passes bytes from the server on again (held ones first, unless dropped). */
    public void resumeReplies() {
        repliesPaused = false;
    }

    /** Closes every relayed connection; bytes held are lost. */
    public void dropConnections() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        dropConnections();
    }

    private void accept() {
        while (!closed) {
            Socket client = null;
            try {
                client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 2000);
                sockets.add(client);
                sockets.add(server);
                relay(client, server, true);
                relay(server, client, false);
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection fail (not hang, accepted and idle)
                if (client != null) {
                    closeQuietly(client);
                }
            }
        }
    }

    private void relay(Socket from, Socket to, boolean fromClient) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    // Bounded by the test: a paused relay waits until resumed or its connection is dropped.
                    while (fromClient ? paused : repliesPaused) {
                        if (from.isClosed() || to.isClosed()) {
                            return; // dropped while held: these bytes are lost, as on a broken network
                        }
                        Thread.sleep(5);
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // dropped
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-relay-" + port());
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
