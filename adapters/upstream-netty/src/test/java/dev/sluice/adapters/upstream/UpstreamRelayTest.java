package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What goes to the backend, what comes back, and keep-alive reuse. */
class UpstreamRelayTest extends UpstreamTestSupport {

    @Test
    void relaysA2xxResponseChunkByChunkInOrderWithCleanHeaders() throws Exception {
        RecordingListener listener = new RecordingListener();
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write(StubBackend.chunkedHead(200,
                    "Content-Type: text/event-stream",
                    "X-Custom: Value",
                    "Connection: keep-alive, X-Hop",
                    "Keep-Alive: timeout=5",
                    "X-Hop: secret"));
            String[] parts = {"data: one\n\n", "data: two\n\n", "data: three\n\n"};
            for (int i = 0; i < parts.length; i++) {
                conn.chunk(parts[i]);
                int relayed = i + 1;
                // the next chunk is only sent once this one reached the listener: proves streaming, not buffering
                Poll.until(() -> listener.chunks.size() >= relayed, WAIT, "chunk " + relayed + " was not relayed on its own");
            }
            conn.lastChunk();
            conn.readRequest(); // hold the connection until the client closes it
        }));

        send(post(stub.url("/v1/chat/completions"), "{\"model\":\"m\"}", WAIT), listener);

        RecordingListener.Head head = listener.awaitHead(WAIT);
        listener.awaitEnd(WAIT);
        assertEquals(200, head.status());
        assertEquals(List.of("data: one\n\n", "data: two\n\n", "data: three\n\n"), listener.chunkTexts());
        assertEquals(List.of("head 200", "chunk", "chunk", "chunk", "end"), listener.events);

        Map<String, String> headers = head.headers();
        assertEquals("Value", headers.get("x-custom"));
        assertEquals("text/event-stream", headers.get("content-type"));
        for (String name : headers.keySet()) {
            assertEquals(name.toLowerCase(Locale.ROOT), name, "header names are lower-case");
        }
        for (String hop : List.of("connection", "keep-alive", "transfer-encoding", "x-hop")) {
            assertFalse(headers.containsKey(hop), "hop-by-hop header " + hop + " must be removed: " + headers);
        }
    }

    @Test
    void theRequestCarriesHostLengthAndGivenHeadersButNoHopByHopHeaders() throws Exception {
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            conn.write(StubBackend.response(200, "{}"));
            return true;
        }));
        Map<String, String> given = new LinkedHashMap<>();
        given.put("Authorization", "Bearer sk-upstream");
        given.put("X-Given", "yes");
        given.put("Content-Type", "application/json");
        given.put("Connection", "close");
        given.put("Keep-Alive", "timeout=1");
        given.put("Transfer-Encoding", "chunked");
        given.put("Upgrade", "h2c");
        given.put("TE", "trailers");
        given.put("Proxy-Authorization", "Basic eA==");
        given.put("Proxy-Connection", "keep-alive");
        given.put("Host", "evil.example");
        given.put("Content-Length", "999");
        byte[] body = "{\"model\":\"gpt\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

        send(new UpstreamRequest("POST", stub.url("/v1/chat/completions?api-version=1"), given, body, WAIT)).awaitEnd(WAIT);

        StubBackend.Request seen = stub.nextRequest(WAIT);
        assertEquals("POST", seen.method());
        assertEquals("/v1/chat/completions?api-version=1", seen.target());
        assertEquals("HTTP/1.1", seen.version());
        assertEquals("127.0.0.1:" + stub.port(), seen.header("Host"));
        assertEquals(String.valueOf(body.length), seen.header("Content-Length"));
        assertEquals("Bearer sk-upstream", seen.header("Authorization"));
        assertEquals("yes", seen.header("X-Given"));
        assertEquals("application/json", seen.header("Content-Type"));
        assertEquals(new String(body, StandardCharsets.UTF_8), seen.bodyText());
        List<String> names = seen.headerNamesLowerCase();
        assertEquals(1, names.stream().filter("host"::equals).count(), "one Host header: " + names);
        assertEquals(1, names.stream().filter("content-length"::equals).count(), "one Content-Length header: " + names);
        for (String hop : List.of("connection", "keep-alive", "transfer-encoding", "upgrade", "te",
                "proxy-authorization", "proxy-connection")) {
            assertFalse(names.contains(hop), "hop-by-hop header " + hop + " must not be sent: " + names);
        }
    }

    @Test
    void sequentialRequestsReuseOneKeptAliveConnection() throws Exception {
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            conn.write(StubBackend.response(200, "ok " + req.bodyText()));
            return true;
        }));
        for (int i = 0; i < 4; i++) {
            RecordingListener l = send(post(stub.url("/v1/embeddings"), "#" + i, WAIT)).awaitEnd(WAIT);
            assertEquals("ok #" + i, l.body());
        }
        assertEquals(1, stub.accepted(), "one connection for all requests");
        int port = stub.connections.getFirst().remotePort();
        for (int i = 0; i < 4; i++) {
            assertEquals(port, stub.nextRequest(WAIT).remotePort());
        }
        assertEquals(1, client.openConnections());
        assertEquals(1, onLoop(() -> client.pool(loop, Target.parse(stub.url("/"))).idleCount()));
    }

    @Test
    void aResponseWithConnectionCloseIsNotReused() throws Exception {
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            // the stub keeps the socket open: it is the client that must close it
            conn.write(StubBackend.response(200, "bye", "Connection: close"));
            return true;
        }));
        send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals("eof", stub.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                "the client closes a connection the backend marked Connection: close");
        send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals(2, stub.accepted());
        assertTrue(stub.nextRequest(WAIT).remotePort() != stub.nextRequest(WAIT).remotePort());
        Poll.until(() -> client.openConnections() == 0, WAIT, "no connection stays open");
    }

    @Test
    void aBodyDelimitedByTheEndOfTheConnectionIsRelayedWhole() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"partial\":");
            conn.write("true}");
            conn.close();
        }));
        RecordingListener l = send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals("{\"partial\":true}", l.body());
        Poll.until(() -> client.openConnections() == 0, WAIT, "a connection that ended the body is not pooled");
    }

    @Test
    void anInterim1xxResponseIsNotRelayed() throws Exception {
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            conn.write("HTTP/1.1 100 Continue\r\n\r\n");
            conn.write(StubBackend.response(200, "final"));
            return true;
        }));
        RecordingListener l = send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals(List.of("head 200", "chunk", "end"), l.events);
        assertEquals("final", l.body());
    }

    @Test
    void anErrorStatusIsRelayedAsAResponseNotAFailure() throws Exception {
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            conn.write(StubBackend.response(500, "{\"error\":\"boom\"}", "Content-Type: application/json"));
            return true;
        }));
        RecordingListener l = send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals(500, l.awaitHead(WAIT).status());
        assertEquals("{\"error\":\"boom\"}", l.body());
        assertEquals("16", l.awaitHead(WAIT).headers().get("content-length"));
        assertNull(l.awaitHead(WAIT).headers().get("connection"));
        // an error answer still leaves a reusable connection
        send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals(1, stub.accepted());
    }
}
