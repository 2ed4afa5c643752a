import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fast, dependency-free stand-in for an OpenAI-compatible backend, for the load benchmark.
 *
 * <pre>
 *   java bench/StubUpstream.java PORT [LOOPS]
 * </pre>
 *
 * Raw NIO, HTTP/1.1 keep-alive, one blocking acceptor handing connections round robin to LOOPS
 * selector threads (default 1, so that the stub leaves the machine's second core to the client
 * and the gateway). Answers:
 * <ul>
 *   <li>{@code POST /v1/chat/completions} (and {@code /v1/completions}): a fixed JSON completion
 *       with {@code usage}; with {@code "stream": true} a Server-Sent Events stream of
 *       {@code stub.chunks} content chunks, {@code stub.delay.ms} apart (the first goes out with
 *       the response head), a usage chunk when the body asks for
 *       {@code "include_usage": true}, then {@code data: [DONE]}.</li>
 *   <li>{@code GET /v1/models}.</li>
 * </ul>
 * An {@code X-Request-Id} request header is echoed in non-streamed answers (as the gateway does).
 * Per request overrides ride in the JSON body, which the gateway passes through untouched:
 * {@code "stub_chunks": N} and {@code "stub_delay_ms": N}.
 * Defaults: system properties {@code -Dstub.chunks=5 -Dstub.delay.ms=1}
 * (or the environment variables STUB_CHUNKS, STUB_DELAY_MS).
 */
public final class StubUpstream {
    static final int DEFAULT_CHUNKS = intSetting("stub.chunks", "STUB_CHUNKS", 5);
    static final int DEFAULT_DELAY_MS = intSetting("stub.delay.ms", "STUB_DELAY_MS", 1);
    static final AtomicLong REQUESTS = new AtomicLong();

    static final byte[] COMPLETION_BODY = ("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"bench-upstream\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello! This is the benchmark stub answering.\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}").getBytes(StandardCharsets.US_ASCII);
    static final byte[] COMPLETION = response("200 OK", "application/json", COMPLETION_BODY);
    static final byte[] COMPLETION_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + COMPLETION_BODY.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] MODELS = response("200 OK", "application/json",
            "{\"object\":\"list\",\"data\":[{\"id\":\"bench-upstream\",\"object\":\"model\",\"created\":0,\"owned_by\":\"stub\"}]}"
                    .getBytes(StandardCharsets.US_ASCII));
    static final byte[] NOT_FOUND = response("404 Not Found", "application/json",
            "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\",\"code\":null,\"param\":null}}"
                    .getBytes(StandardCharsets.US_ASCII));
    static final byte[] STREAM_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] ROLE_EVENT = chunk(event("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"bench-upstream\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}"));
    static final byte[] TOKEN_EVENT = chunk(event("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"bench-upstream\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}"));
    static final byte[] STOP_EVENT = chunk(event("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"bench-upstream\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}"));
    static final byte[] DONE = concat(chunk(event("[DONE]")), "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9090;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        Loop[] workers = new Loop[loops];
        for (int i = 0; i < loops; i++) {
            workers[i] = new Loop(i);
            Thread t = new Thread(workers[i], "stub-loop-" + i);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("stub upstream listening on 127.0.0.1:" + port + " loops=" + loops
                + " chunks=" + DEFAULT_CHUNKS + " delayMs=" + DEFAULT_DELAY_MS);
        System.out.flush();
        int next = 0;
        while (true) {
            SocketChannel ch = server.accept();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            workers[next].hand(ch);
            next = (next + 1) % loops;
        }
    }

    /** One selector thread: its connections, their output queues and the timed stream events. */
    static final class Loop implements Runnable {
        final Selector selector;
        final ConcurrentLinkedQueue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
        final PriorityQueue<Timed> timers = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
        final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);
        long seq;

        Loop(int id) throws IOException {
            selector = Selector.open();
        }

        void hand(SocketChannel ch) {
            incoming.add(ch);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    long timeout = 0;
                    if (!timers.isEmpty()) {
                        long waitNanos = timers.peek().due - System.nanoTime();
                        timeout = waitNanos <= 0 ? -1 : Math.max(1, waitNanos / 1_000_000);
                    }
                    if (timeout < 0) {
                        selector.selectNow();
                    } else {
                        selector.select(timeout);
                    }
                    SocketChannel ch;
                    while ((ch = incoming.poll()) != null) {
                        Conn c = new Conn(ch);
                        c.key = ch.register(selector, SelectionKey.OP_READ, c);
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        Conn c = (Conn) key.attachment();
                        try {
                            if (key.isValid() && key.isWritable()) {
                                c.flush();
                            }
                            if (key.isValid() && key.isReadable()) {
                                read(c);
                            }
                        } catch (IOException | RuntimeException e) {
                            c.close();
                        }
                    }
                    long now = System.nanoTime();
                    while (!timers.isEmpty() && timers.peek().due <= now) {
                        Timed t = timers.poll();
                        try {
                            t.stream.step(this, now);
                        } catch (IOException | RuntimeException e) {
                            t.stream.conn.close();
                        }
                    }
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        }

        void read(Conn c) throws IOException {
            readBuf.clear();
            int n = c.ch.read(readBuf);
            if (n < 0) {
                c.close();
                return;
            }
            if (n == 0) {
                return;
            }
            readBuf.flip();
            c.in = ensure(c.in, n);
            c.in.put(readBuf);
            c.parse(this);
        }

        void schedule(Stream s, long due) {
            timers.add(new Timed(due, seq++, s));
        }
    }

    record Timed(long due, long seq, Stream stream) {
    }

    /** A streamed answer in progress. */
    static final class Stream {
        final Conn conn;
        final int chunks;
        final long delayNanos;
        final boolean usage;
        int sent;

        Stream(Conn conn, int chunks, long delayNanos, boolean usage) {
            this.conn = conn;
            this.chunks = chunks;
            this.delayNanos = delayNanos;
            this.usage = usage;
        }

        void step(Loop loop, long now) throws IOException {
            if (conn.closed) {
                return;
            }
            if (delayNanos <= 0) {
                while (sent < chunks) {
                    conn.queue(TOKEN_EVENT);
                    sent++;
                }
            } else if (sent < chunks) {
                conn.queue(TOKEN_EVENT);
                sent++;
                if (sent < chunks) {
                    conn.flush();
                    loop.schedule(this, now + delayNanos);
                    return;
                }
            }
            conn.queue(STOP_EVENT);
            if (usage) {
                conn.queue(chunk(event("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                        + "\"model\":\"bench-upstream\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":"
                        + (chunks + 1) + ",\"total_tokens\":" + (chunks + 13) + "}}")));
            }
            conn.queue(DONE);
            conn.flush();
            conn.streaming = null;
            conn.parse(loop); // a pipelined request may be waiting
        }
    }

    static final class Conn {
        final SocketChannel ch;
        SelectionKey key;
        ByteBuffer in = ByteBuffer.allocate(8192);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        Stream streaming;
        String requestId; // echoed like the gateway does, so that a client can match responses to requests
        boolean closeAfterWrite;
        boolean closed;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        /** Handles every complete request in the input buffer (requests are answered in order). */
        void parse(Loop loop) throws IOException {
            while (streaming == null && !closed) {
                int end = headerEnd(in);
                if (end < 0) {
                    if (in.position() > 64 * 1024) {
                        close();
                    }
                    return;
                }
                String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
                int contentLength = 0;
                boolean close = false;
                requestId = null;
                int lineEnd = head.indexOf("\r\n");
                String requestLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
                int pos = lineEnd < 0 ? head.length() : lineEnd + 2;
                while (pos < head.length()) {
                    int next = head.indexOf("\r\n", pos);
                    if (next < 0) {
                        next = head.length();
                    }
                    int colon = head.indexOf(':', pos);
                    if (colon > 0 && colon < next) {
                        String name = head.substring(pos, colon).trim();
                        if (name.equalsIgnoreCase("content-length")) {
                            contentLength = Integer.parseInt(head.substring(colon + 1, next).trim());
                        } else if (name.equalsIgnoreCase("x-request-id")) {
                            requestId = head.substring(colon + 1, next).trim();
                        } else if (name.equalsIgnoreCase("connection")) {
                            close = head.substring(colon + 1, next).trim().equalsIgnoreCase("close");
                        }
                    }
                    pos = next + 2;
                }
                int total = end + 4 + contentLength;
                if (in.position() < total) {
                    in = ensure(in, total - in.position());
                    return;
                }
                String body = new String(in.array(), end + 4, contentLength, StandardCharsets.ISO_8859_1);
                // consume the request
                int rest = in.position() - total;
                System.arraycopy(in.array(), total, in.array(), 0, rest);
                in.position(rest);
                REQUESTS.incrementAndGet();
                closeAfterWrite = close || requestLine.endsWith("HTTP/1.0");
                answer(loop, requestLine, body);
                if (closeAfterWrite && streaming == null) {
                    flush();
                    return;
                }
            }
        }

        void answer(Loop loop, String requestLine, String body) throws IOException {
            int sp1 = requestLine.indexOf(' ');
            int sp2 = requestLine.indexOf(' ', sp1 + 1);
            String method = requestLine.substring(0, Math.max(0, sp1));
            String path = sp2 > sp1 ? requestLine.substring(sp1 + 1, sp2) : "";
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (method.equals("POST") && (path.equals("/v1/chat/completions") || path.equals("/v1/completions"))) {
                if (flag(body, "\"stream\"")) {
                    int chunks = number(body, "\"stub_chunks\"", DEFAULT_CHUNKS);
                    int delayMs = number(body, "\"stub_delay_ms\"", DEFAULT_DELAY_MS);
                    Stream s = new Stream(this, Math.max(1, chunks), delayMs * 1_000_000L, flag(body, "\"include_usage\""));
                    streaming = s;
                    queue(STREAM_HEAD);
                    queue(ROLE_EVENT);
                    flush();
                    if (delayMs <= 0) {
                        s.step(loop, System.nanoTime());
                    } else {
                        loop.schedule(s, System.nanoTime() + s.delayNanos);
                    }
                } else {
                    if (requestId == null) {
                        write(COMPLETION);
                    } else {
                        queue(COMPLETION_HEAD);
                        queue(("X-Request-Id: " + requestId + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        queue(COMPLETION_BODY);
                        flush();
                    }
                }
            } else if (method.equals("GET") && path.equals("/v1/models")) {
                write(MODELS);
            } else if (method.equals("GET") && path.equals("/stub/stats")) {
                write(response("200 OK", "application/json",
                        ("{\"requests\":" + REQUESTS.get() + "}").getBytes(StandardCharsets.US_ASCII)));
            } else {
                write(NOT_FOUND);
            }
        }

        void write(byte[] bytes) throws IOException {
            queue(bytes);
            flush();
        }

        void queue(byte[] bytes) {
            out.addLast(ByteBuffer.wrap(bytes));
        }

        void flush() throws IOException {
            if (closed) {
                return;
            }
            if (out.size() > 1) {
                ByteBuffer[] bufs = out.toArray(new ByteBuffer[0]);
                ch.write(bufs);
                while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
                    out.pollFirst();
                }
            } else if (out.size() == 1) {
                ByteBuffer b = out.peekFirst();
                ch.write(b);
                if (!b.hasRemaining()) {
                    out.pollFirst();
                }
            }
            if (out.isEmpty()) {
                if (closeAfterWrite && streaming == null) {
                    close();
                    return;
                }
                if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } else if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    static int headerEnd(ByteBuffer in) {
        byte[] a = in.array();
        int limit = in.position() - 3;
        for (int i = 0; i < limit; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static ByteBuffer ensure(ByteBuffer b, int more) {
        if (b.remaining() >= more) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    /** True when the JSON body has {@code name : true} (a cheap scan, good enough for the bench's bodies). */
    static boolean flag(String body, String name) {
        int i = body.indexOf(name);
        if (i < 0) {
            return false;
        }
        i += name.length();
        while (i < body.length() && (body.charAt(i) == ' ' || body.charAt(i) == ':')) {
            i++;
        }
        return body.startsWith("true", i);
    }

    static int number(String body, String name, int fallback) {
        int i = body.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        i += name.length();
        while (i < body.length() && (body.charAt(i) == ' ' || body.charAt(i) == ':')) {
            i++;
        }
        int start = i;
        while (i < body.length() && Character.isDigit(body.charAt(i))) {
            i++;
        }
        return i > start ? Integer.parseInt(body.substring(start, i)) : fallback;
    }

    static byte[] response(String status, String contentType, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return concat(head, body);
    }

    static String event(String data) {
        return "data: " + data + "\n\n";
    }

    static byte[] chunk(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return concat((Integer.toHexString(p.length) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                concat(p, "\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int intSetting(String property, String env, int fallback) {
        String v = System.getProperty(property);
        if (v == null) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }
}
