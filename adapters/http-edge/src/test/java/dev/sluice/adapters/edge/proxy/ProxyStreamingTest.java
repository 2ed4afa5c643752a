package dev.sluice.adapters.edge.proxy;

import dev.sluice.adapters.edge.proxy.FakeUpstreamClient.FakeExchange;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sluice.adapters.edge.proxy.RawHttpConnection.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming through the proxy port: a client that leaves, and a client that reads slowly. */
class ProxyStreamingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CHAT = "/v1/chat/completions";

    private final EdgeFixture edge = EdgeFixture.withFakeUpstream();

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void aClientThatDisconnectsMidStreamCancelsTheUpstreamExchange() throws Exception {
        FakeExchange upstream;
        try (RawHttpConnection c = edge.connect()) {
            c.write(post(CHAT, EdgeFixture.chatBody(true), "App-Name: tests", "X-Request-Id: gone-1"));
            upstream = edge.fake().awaitExchange(WAIT);
            upstream.head(200, Map.of("content-type", "text/event-stream"))
                    .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");

            RawHttpConnection.Response head = c.readHead();
            assertEquals(200, head.status());
            assertEquals("text/event-stream", head.header("content-type"));
            assertTrue(head.chunked());
            assertEquals("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
                    new String(c.readChunk(), StandardCharsets.UTF_8), "the first event is relayed before the stream ends");
        } // the client goes away mid-stream

        Poll.until(() -> upstream.cancels.get() == 1, WAIT, "the upstream exchange was not cancelled");
        RequestRecord record = edge.log.awaitRecord("gone-1", WAIT);
        assertTrue(record.clientAborted());
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, record.status());
        assertTrue(record.stream());

        // the backend's late answer goes nowhere and changes nothing
        upstream.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n").end();
        Poll.until(() -> edge.log.records.size() == 1, WAIT, "one record");
        Thread.sleep(100);
        assertEquals(1, edge.log.records.size(), "no second record after the abort");
        assertEquals(1, upstream.cancels.get());
        assertTrue(upstream.offLoopControl.isEmpty(), upstream.offLoopControl.toString());
    }

    @Test
    void aClientThatDoesNotReadPausesTheUpstreamAndReadingResumesIt() throws Exception {
        long total = 16L << 20;
        byte[] block = new byte[32 * 1024];
        Arrays.fill(block, (byte) 'x');
        AtomicLong produced = new AtomicLong();
        edge.fake().onSend = ex -> {
            ex.head(200, Map.of("content-type", "application/octet-stream"));
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                // like a backend connection: produce while not paused, yielding to the loop between bursts
                for (int i = 0; i < 8 && !ex.paused && ex.cancels.get() == 0 && produced.get() < total; i++) {
                    produced.addAndGet(block.length);
                    ex.listener.onChunk(block);
                }
                if (produced.get() >= total) {
                    ex.listener.onEnd();
                } else if (!ex.paused && ex.cancels.get() == 0) {
                    ex.loop.execute(pump[0]);
                }
            };
            ex.onResume = () -> ex.loop.execute(pump[0]);
            ex.later(pump[0]);
        };

        try (RawHttpConnection c = new RawHttpConnection(edge.server.port(), 32 * 1024)) {
            c.write(post(CHAT, EdgeFixture.chatBody(false), "App-Name: tests", "X-Request-Id: slow-1"));
            FakeExchange upstream = edge.fake().awaitExchange(WAIT);

            Poll.until(() -> upstream.pauses.get() >= 1, WAIT, "the upstream was not paused for a client that does not read");
            // socket buffers may still drain a little (a short resume and pause); then production must stop for good
            long stalledAt = awaitStall(produced, Duration.ofMillis(300), WAIT);
            assertTrue(upstream.paused, "the upstream is paused while the client reads nothing");
            assertTrue(stalledAt < total / 2, "the proxy took " + stalledAt + " bytes for a client that reads nothing");
            int resumesBefore = upstream.resumes.get();

            RawHttpConnection.Response r = c.readResponse(); // the client reads now
            assertEquals(200, r.status());
            assertEquals(total, r.body().length, "every byte arrives");
            assertTrue(upstream.resumes.get() > resumesBefore, "reading resumed the upstream");
            assertTrue(upstream.offLoopControl.isEmpty(), upstream.offLoopControl.toString());
            assertEquals(200, edge.log.awaitRecord("slow-1", WAIT).status());
        }
    }

    /** Waits until {@code progress} has not moved for {@code quiet}; returns where it stopped. */
    private static long awaitStall(AtomicLong progress, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = progress.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("production never stopped; " + progress.get() + " bytes");
    }
}
