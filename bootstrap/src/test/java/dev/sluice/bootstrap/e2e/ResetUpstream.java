package dev.sluice.bootstrap.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend that reads each request completely and then resets the connection (RST, no answer
 * at all): what a crashing server or a dropping middlebox looks like to the gateway. Every
 * request is recorded with its body and an arrival number shared with {@link StubUpstream}.
 */
final class ResetUpstream implements AutoCloseable {
    /** One request as received, before the reset. */
    record Received(String head, String body, long arrival) {
    }

    private final ServerSocket server;
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private ResetUpstream(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("reset-upstream").start(this::acceptLoop);
    }

    static ResetUpstream start() {
        try {
            return new ResetUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    List<Received> requests() {
        return List.copyOf(requests);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> readThenReset(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void readThenReset(Socket socket) {
        try (socket) {
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return; // the gateway opened a connection and closed it without a request
            }
            int length = contentLength(head);
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            requests.add(new Received(head, body, StubUpstream.nextArrival()));
            socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
        } catch (IOException e) {
            // nothing to do: the connection is gone either way
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        acceptor.interrupt();
    }
}
