package dev.sluice.adapters.upstream;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pause() stops reading the backend: a fast backend cannot run ahead of a paused exchange. */
class UpstreamBackpressureTest extends UpstreamTestSupport {
    private static final long TOTAL = 64L << 20;
    private static final int BLOCK = 64 * 1024;

    @Test
    void pauseStallsTheBackendWithinSocketBuffersAndResumeDeliversEveryByte() throws Exception {
        byte[] block = new byte[BLOCK];
        new Random(42).nextBytes(block);
        CRC32 expected = new CRC32();
        for (long n = 0; n < TOTAL; n += BLOCK) {
            expected.update(block);
        }
        AtomicLong written = new AtomicLong();
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + TOTAL + "\r\n\r\n");
            for (long n = 0; n < TOTAL; n += BLOCK) {
                conn.out.write(block);
                written.addAndGet(BLOCK);
            }
            conn.out.flush();
            conn.readRequest();
        }));

        RecordingListener l = new RecordingListener();
        l.onHeadAction = x -> x.exchange.pause();
        // a request timeout shorter than the pause: a paused exchange must not time out
        send(post(stub.url("/v1/embeddings"), "{}", Duration.ofSeconds(1)), l);
        l.awaitHead(WAIT);

        long stalledAt = awaitStall(written, Duration.ofMillis(1500), Duration.ofSeconds(15));
        long receivedWhilePaused = l.bytes();
        assertTrue(stalledAt < TOTAL / 4,
                "the backend ran ahead to " + stalledAt + " of " + TOTAL + " bytes while the exchange was paused");
        assertTrue(receivedWhilePaused < (1 << 20), "the listener got " + receivedWhilePaused + " bytes while paused");
        assertEquals(receivedWhilePaused, l.bytes(), "nothing is delivered while paused");
        assertTrue(!l.outcome.isDone(), "still in progress: " + l.events);

        l.exchange.resume();
        l.awaitEnd(Duration.ofSeconds(30));
        assertEquals(TOTAL, l.bytes());
        assertEquals(TOTAL, written.get());
        assertEquals(expected.getValue(), l.crc(), "every byte arrives intact and in order");
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
            } else if (now > 0 && System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the backend never stalled; it wrote " + progress.get() + " bytes");
    }
}
