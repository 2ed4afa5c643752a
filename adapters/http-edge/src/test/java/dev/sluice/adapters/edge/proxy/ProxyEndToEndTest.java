package dev.sluice.adapters.edge.proxy;

import dev.sluice.adapters.upstream.NettyUpstreamClient;
import dev.sluice.adapters.upstream.UpstreamSettings;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sluice.adapters.edge.proxy.RawHttpConnection.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole hot path on real sockets: client → proxy port → {@link NettyUpstreamClient} → a stub
 * backend, both Netty sides on the same event loop group as in production.
 */
class ProxyEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CHAT = "/v1/chat/completions";

    private StubBackend backend;
    private EdgeFixture edge;

    private void start(StubBackend.Handler handler) throws Exception {
        backend = new StubBackend(handler);
        edge = new EdgeFixture(group -> new NettyUpstreamClient(group, UpstreamSettings.defaults()), backend.url("/v1"));
    }

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (backend != null) {
            backend.close();
            assertTrue(backend.handlerErrors.isEmpty(), backend.handlerErrors.toString());
        }
    }

    @Test
    void aStreamedChatCompletionIsRelayedEventByEventAndItsUsageRecorded() throws Exception {
        start(conn -> {
            StubBackend.Request request;
            while ((request = conn.readRequest()) != null) {
                conn.write(StubBackend.chunkedHead(200, "Content-Type: text/event-stream"));
                conn.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");
                conn.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n");
                conn.chunk("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n");
                conn.chunk("data: [DONE]\n\n");
                conn.lastChunk();
            }
        });
        try (RawHttpConnection c = edge.connect()) {
            RawHttpConnection.Response r = c.exchange(post(CHAT, EdgeFixture.chatBody(true), "App-Name: tests", "X-Request-Id: e2e-1"));
            assertEquals(200, r.status());
            assertEquals("text/event-stream", r.header("content-type"));
            assertEquals("e2e-1", r.header("x-request-id"));
            assertEquals("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
                    + "data: [DONE]\n\n", r.text(), "the usage event the client did not ask for is dropped");
        }
        StubBackend.Request upstream = backend.nextRequest(WAIT);
        assertEquals("/v1/chat/completions", upstream.target());
        assertEquals("127.0.0.1:" + backend.port(), upstream.header("Host"));
        assertEquals("Bearer " + EdgeFixture.BACKEND_KEY, upstream.header("Authorization"));
        assertEquals("text/event-stream", upstream.header("Accept"));
        assertTrue(upstream.bodyText().contains("\"model\":\"" + EdgeFixture.UPSTREAM_MODEL + "\""), upstream.bodyText());
        assertTrue(upstream.bodyText().contains("\"include_usage\":true"), upstream.bodyText());

        RequestRecord record = edge.log.awaitRecord("e2e-1", WAIT);
        assertEquals(200, record.status());
        assertEquals(Optional.of(new Usage(5, 2, 7)), record.usage());
        assertFalse(record.clientAborted());
    }

    @Test
    void aClientThatDisconnectsMidStreamClosesTheBackendConnection() throws Exception {
        start(conn -> {
            conn.readRequest();
            conn.write(StubBackend.chunkedHead(200, "Content-Type: text/event-stream"));
            conn.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            conn.awaitClientClose(Duration.ofSeconds(10)); // the backend would go on generating
        });
        try (RawHttpConnection c = edge.connect()) {
            c.write(post(CHAT, EdgeFixture.chatBody(true), "App-Name: tests", "X-Request-Id: e2e-gone"));
            assertEquals(200, c.readHead().status());
            assertTrue(new String(c.readChunk(), StandardCharsets.UTF_8).contains("Hel"));
        }
        backend.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        RequestRecord record = edge.log.awaitRecord("e2e-gone", WAIT);
        assertTrue(record.clientAborted());
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, record.status());
        NettyUpstreamClient upstream = (NettyUpstreamClient) edge.upstream;
        Poll.until(() -> upstream.openConnections() == 0, WAIT, "the backend connection is closed, not pooled");
    }

    @Test
    void aClientThatDoesNotReadStallsTheBackendAndEveryByteArrivesOnceItReads() throws Exception {
        long total = 32L << 20;
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) 'x');
        AtomicLong written = new AtomicLong();
        start(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + total + "\r\n\r\n");
            for (long n = 0; n < total; n += block.length) {
                conn.out.write(block);
                written.addAndGet(block.length);
            }
            conn.out.flush();
            conn.readRequest();
        });
        try (RawHttpConnection c = new RawHttpConnection(edge.server.port(), 64 * 1024)) {
            c.write(post(CHAT, EdgeFixture.chatBody(false), "App-Name: tests", "X-Request-Id: e2e-slow"));
            long stalledAt = awaitStall(written, Duration.ofMillis(700), Duration.ofSeconds(15));
            assertTrue(stalledAt < total / 2, "the backend ran ahead to " + stalledAt + " of " + total
                    + " bytes for a client that reads nothing");

            RawHttpConnection.Response r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals(String.valueOf(total), r.header("content-length"));
            assertEquals(total, r.body().length);
        }
        assertEquals(total, written.get());
        assertEquals(200, edge.log.awaitRecord("e2e-slow", WAIT).status());
    }

    private static long awaitStall(AtomicLong progress, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = progress.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (now > 0 && System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the backend never stalled; it wrote " + progress.get() + " bytes");
    }
}
