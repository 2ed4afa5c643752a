package dev.sluice.adapters.edge.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw {@link ServerSocket}, for byte-level control: each accepted connection runs
 * a {@link Handler} on its own thread. It records every request it reads, how many connections
 * are open at once, and when the client closes a connection.
 */
final class StubBackend implements AutoCloseable {

    @FunctionalInterface
    interface Handler {
        void handle(Conn conn) throws Exception;
    }

    /** Answers one request; returns false to stop serving the connection (the stub then closes it). */
    @FunctionalInterface
    interface Responder {
        boolean respond(Request request, Conn conn) throws Exception;
    }

    record Request(int connection, int remotePort, String method, String target, String version,
                   List<Map.Entry<String, String>> headerLines, byte[] body) {

        /** The first value of a header, by case-insensitive name; null when absent. */
        String header(String name) {
            for (Map.Entry<String, String> e : headerLines) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        List<String> headerNamesLowerCase() {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, String> e : headerLines) {
                names.add(e.getKey().toLowerCase(Locale.ROOT));
            }
            return names;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final class Conn {
        final int index;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** Completes with "eof" or the exception text when the client closes or resets the connection. */
        final CompletableFuture<String> clientClosed = new CompletableFuture<>();
        final CompletableFuture<Void> finished = new CompletableFuture<>();

        Conn(int index, Socket socket) throws IOException {
            this.index = index;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        int remotePort() {
            return socket.getPort();
        }

        /** Reads one request (Content-Length bodies only); null when the client closed the connection. */
        Request readRequest() throws IOException {
            String requestLine;
            try {
                requestLine = readLine();
            } catch (IOException e) {
                clientClosed.complete(e.toString());
                throw e;
            }
            if (requestLine == null) {
                clientClosed.complete("eof");
                return null;
            }
            String[] parts = requestLine.split(" ", 3);
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            String line;
            while ((line = readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
            int length = 0;
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase("content-length")) {
                    length = Integer.parseInt(h.getValue());
                }
            }
            byte[] body = in.readNBytes(length);
            Request request = new Request(index, remotePort(), parts[0], parts[1], parts.length > 2 ? parts[2] : "",
                    List.copyOf(headers), body);
            requests.add(request);
            return request;
        }

        /** Blocks until the client closes (or resets) the connection, discarding what it sends. */
        String awaitClientClose(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                byte[] buf = new byte[8192];
                while (in.read(buf) >= 0) {
                    // discard
                }
                clientClosed.complete("eof");
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                clientClosed.complete(e.toString());
            }
            return clientClosed.join();
        }

        void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Writes one chunk of a chunked body. */
        void chunk(String data) throws IOException {
            byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
            write(Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n");
        }

        void lastChunk() throws IOException {
            write("0\r\n\r\n");
        }

        /** Closes abruptly: the client sees a TCP reset rather than an orderly close. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        void close() throws IOException {
            socket.close();
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private volatile Handler handler;
    final List<Conn> connections = new CopyOnWriteArrayList<>();
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();

    StubBackend(Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("stub-accept-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** A keep-alive server: reads requests and answers each with {@code responder} until it returns false or the client closes. */
    static StubBackend serving(Responder responder) throws IOException {
        return new StubBackend(conn -> {
            Request request;
            while ((request = conn.readRequest()) != null) {
                if (!responder.respond(request, conn)) {
                    return;
                }
            }
        });
    }

    void handler(Handler handler) {
        this.handler = handler;
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    int accepted() {
        return connections.size();
    }

    Request nextRequest(Duration timeout) throws InterruptedException {
        Request r = requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("the stub received no request within " + timeout);
        }
        return r;
    }

    Conn connection(int index, Duration timeout) {
        Poll.until(() -> connections.size() > index, timeout, "connection #" + index + " was not accepted");
        return connections.get(index);
    }

    private void acceptLoop() {
        int index = 0;
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            Conn conn;
            try {
                conn = new Conn(index++, socket);
            } catch (IOException e) {
                continue;
            }
            connections.add(conn);
            int now = open.incrementAndGet();
            maxOpen.accumulateAndGet(now, Math::max);
            Handler h = handler;
            Thread.ofPlatform().daemon().name("stub-conn-" + conn.index).start(() -> {
                try {
                    h.handle(conn);
                } catch (Throwable t) {
                    if (!(t instanceof IOException)) {
                        handlerErrors.add(t);
                    }
                } finally {
                    try {
                        conn.socket.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    open.decrementAndGet();
                    conn.finished.complete(null);
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Conn c : connections) {
            c.socket.close();
        }
    }

    /** A complete HTTP/1.1 response with a Content-Length body. */
    static String response(int status, String body, String... headerLines) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
            seen.put(line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT), line);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!seen.containsKey("content-length")) {
            sb.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        sb.append("\r\n");
        return sb + new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The head of a chunked HTTP/1.1 response. */
    static String chunkedHead(int status, String... headerLines) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
        }
        sb.append("Transfer-Encoding: chunked\r\n\r\n");
        return sb.toString();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            default -> "Status";
        };
    }
}
