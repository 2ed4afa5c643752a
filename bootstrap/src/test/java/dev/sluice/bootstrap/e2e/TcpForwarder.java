package dev.sluice.bootstrap.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a loopback port to a target (the test database), to take the database away:
 * {@link #cut()} stops accepting (new connections are refused) and kills every forwarded connection;
 * {@link #restore()} listens on the same port again.
 */
final class TcpForwarder implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private int port;

    TcpForwarder(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        restore();
    }

    int port() {
        return port;
    }

    synchronized void restore() {
        if (listener != null) {
            return;
        }
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
            port = server.getLocalPort();
            listener = server;
            Thread.ofPlatform().daemon().name("tcp-forwarder-accept").start(() -> accept(server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Refuses new connections and resets every open one. */
    synchronized void cut() {
        ServerSocket server = listener;
        listener = null;
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        for (Socket socket : sockets) {
            kill(socket);
        }
    }

    @Override
    public void close() {
        cut();
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Socket upstream;
            try {
                upstream = new Socket(targetHost, targetPort);
            } catch (IOException e) {
                kill(client);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            if (listener != server) {
                // cut while connecting
                kill(client);
                kill(upstream);
                continue;
            }
            Thread.startVirtualThread(() -> pump(client, upstream));
            Thread.startVirtualThread(() -> pump(upstream, client));
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            kill(from);
            kill(to);
        }
    }

    private void kill(Socket socket) {
        sockets.remove(socket);
        try {
            socket.setSoLinger(true, 0); // a reset, as when the database host goes away
        } catch (IOException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
