package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamFailure;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timeouts, broken backends and cancellation. */
class UpstreamFailureTest extends UpstreamTestSupport {
    private static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void noResponseHeadWithinTheTimeoutFailsWithTimeoutAndClosesTheConnection() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.awaitClientClose(Duration.ofSeconds(10)); // never answers
        }));
        long start = System.nanoTime();
        RecordingListener l = send(post(stub.url("/v1/chat/completions"), "{}", SHORT));

        UpstreamFailure failure = l.awaitFailure(WAIT);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(UpstreamFailure.Kind.TIMEOUT, failure.kind());
        assertTrue(elapsed >= SHORT.toMillis(), "timed out early, after " + elapsed + " ms");
        assertTrue(elapsed < 3000, "timed out late, after " + elapsed + " ms");
        assertEquals(List.of("failure TIMEOUT"), l.events);
        assertEquals("eof", stub.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        Poll.until(() -> client.openConnections() == 0, WAIT, "the timed-out connection is closed");
    }

    @Test
    void aStreamThatGoesSilentLongerThanTheTimeoutFailsWithTimeout() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write(StubBackend.chunkedHead(200, "Content-Type: text/event-stream"));
            for (int i = 0; i < 3; i++) {
                Thread.sleep(SHORT.toMillis() / 3); // activity keeps the exchange alive past the timeout
                conn.chunk("data: " + i + "\n\n");
            }
            conn.awaitClientClose(Duration.ofSeconds(10)); // then silence
        }));
        AtomicLong lastChunkAt = new AtomicLong();
        RecordingListener l = new RecordingListener();
        l.onChunkAction = x -> lastChunkAt.set(System.nanoTime());
        send(post(stub.url("/v1/chat/completions"), "{}", SHORT), l);

        assertEquals(UpstreamFailure.Kind.TIMEOUT, l.awaitFailure(WAIT).kind());
        long silence = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastChunkAt.get());
        assertEquals(List.of("head 200", "chunk", "chunk", "chunk", "failure TIMEOUT"), l.events);
        assertTrue(silence >= SHORT.toMillis() - 5, "timed out after only " + silence + " ms of silence");
        assertEquals("eof", stub.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aPausedExchangeDoesNotTimeOut() throws Exception {
        CountDownLatch sendRest = new CountDownLatch(1);
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write(StubBackend.chunkedHead(200));
            conn.chunk("a");
            sendRest.await();
            conn.chunk("b");
            conn.lastChunk();
            conn.readRequest();
        }));
        Duration timeout = Duration.ofMillis(200);
        RecordingListener l = new RecordingListener();
        l.onChunkAction = x -> {
            if (x.chunks.size() == 1) {
                x.exchange.pause();
            }
        };
        send(post(stub.url("/v1/chat/completions"), "{}", timeout), l);
        l.awaitHead(WAIT);
        Poll.until(() -> l.chunks.size() == 1, WAIT, "first chunk");

        assertStaysPending(l, Duration.ofMillis(5 * timeout.toMillis()));
        sendRest.countDown();
        assertStaysPending(l, Duration.ofMillis(2 * timeout.toMillis()));
        assertEquals(1, l.chunks.size(), "nothing is read while paused");

        l.exchange.resume();
        assertEquals("ab", l.awaitEnd(WAIT).body());
    }

    @Test
    void aRefusedConnectionFailsWithConnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RecordingListener l = send("http://127.0.0.1:" + port + "/v1/chat/completions");
        assertEquals(UpstreamFailure.Kind.CONNECT, l.awaitFailure(WAIT).kind());
        assertEquals(List.of("failure CONNECT"), l.events);
        Poll.until(() -> client.openConnections() == 0, WAIT, "the failed connection is not counted");
    }

    @Test
    void everyFailureToConnectIsReportedAsConnect() {
        // driven directly, so that no test depends on how this machine's DNS answers an unknown name
        for (Throwable cause : List.of(new UnknownHostException("no-such-host.invalid"),
                new NoRouteToHostException("No route to host"), new SocketException("Network is unreachable"),
                new ClosedChannelException(), new ConnectException("Connection refused"))) {
            RecordingListener l = new RecordingListener();
            onLoop(() -> {
                l.loopThread = Thread.currentThread();
                new UpstreamCall(client, loop, Target.parse("http://backend.test/v1"), post("http://backend.test/v1", "{}", WAIT), l)
                        .connectFailed(cause);
                return null;
            });
            assertEquals(UpstreamFailure.Kind.CONNECT, l.awaitFailure(WAIT).kind(), cause.toString());
            l.assertWellBehaved();
        }
    }

    @Test
    void anInvalidUrlFailsWithConnect() {
        RecordingListener l = send("ftp://127.0.0.1/v1/chat/completions");
        assertEquals(UpstreamFailure.Kind.CONNECT, l.awaitFailure(WAIT).kind());
    }

    @Test
    void aBackendThatResetsMidBodyFailsWithReset() throws Exception {
        assertMidBodyBreak(true);
    }

    @Test
    void aBackendThatClosesMidBodyFailsWithReset() throws Exception {
        assertMidBodyBreak(false);
    }

    private void assertMidBodyBreak(boolean reset) throws Exception {
        RecordingListener l = new RecordingListener();
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
            conn.write("x".repeat(100));
            Poll.until(() -> l.bytes() == 100, WAIT, "the first part of the body");
            if (reset) {
                conn.reset();
            } else {
                conn.close();
            }
        }));
        send(post(stub.url("/v1/chat/completions"), "{}", WAIT), l);
        assertEquals(UpstreamFailure.Kind.RESET, l.awaitFailure(WAIT).kind());
        assertEquals(200, l.awaitHead(WAIT).status());
        assertEquals(100, l.bytes());
        Poll.until(() -> client.openConnections() == 0, WAIT, "the broken connection is closed");
    }

    @Test
    void aFreshConnectionClosedBeforeAnyAnswerFailsWithResetWithoutRetry() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.close();
        }));
        RecordingListener l = send(stub.url("/v1/chat/completions"));
        assertEquals(UpstreamFailure.Kind.RESET, l.awaitFailure(WAIT).kind());
        assertEquals(1, stub.accepted());
        assertEquals(1, stub.requests.size());
    }

    @Test
    void garbageInsteadOfHttpFailsWithProtocol() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write("SSH-2.0-OpenSSH_9.6\r\nthis is not http\r\n\r\n");
            conn.awaitClientClose(Duration.ofSeconds(10));
        }));
        RecordingListener l = send(stub.url("/v1/chat/completions"));
        assertEquals(UpstreamFailure.Kind.PROTOCOL, l.awaitFailure(WAIT).kind());
        assertEquals(List.of("failure PROTOCOL"), l.events);
        // a connection that spoke garbage is closed, never pooled
        stub.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aMalformedChunkAfterTheHeadFailsWithProtocol() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.write(StubBackend.chunkedHead(200));
            conn.chunk("fine");
            conn.write("zz-not-a-size\r\nxx\r\n");
            conn.awaitClientClose(Duration.ofSeconds(10));
        }));
        RecordingListener l = send(stub.url("/v1/chat/completions"));
        assertEquals(UpstreamFailure.Kind.PROTOCOL, l.awaitFailure(WAIT).kind());
        assertEquals("fine", l.body());
        stub.connection(0, WAIT).clientClosed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void cancelClosesTheBackendConnectionAtOnceAndNothingFollows() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            // head and three chunks in one write: they arrive in one read, the listener cancels on the first
            conn.write(StubBackend.chunkedHead(200) + "5\r\nfirst\r\n6\r\nsecond\r\n5\r\nthird\r\n");
            conn.awaitClientClose(Duration.ofSeconds(10));
            try {
                for (int i = 0; i < 100; i++) {
                    conn.chunk("more"); // writing to a connection the client closed fails sooner or later
                }
            } catch (java.io.IOException expected) {
                // the client is gone
            }
        }));
        RecordingListener l = new RecordingListener();
        l.onChunkAction = x -> x.exchange.cancel();
        send(post(stub.url("/v1/chat/completions"), "{}", WAIT), l);

        // the stub notices the close (an orderly close or a reset) within a second
        stub.connection(0, WAIT).clientClosed.get(1, TimeUnit.SECONDS);
        stub.connection(0, WAIT).finished.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertStaysPending(l, Duration.ofMillis(300));
        assertEquals(List.of("head 200", "chunk"), l.events, "no callback after cancel");
        assertEquals("first", l.body());
        Poll.until(() -> client.openConnections() == 0, WAIT, "a cancelled connection is not pooled");

        send(stub.url("/v1/chat/completions"));
        stub.connection(1, WAIT); // the next request needs a new connection
    }

    @Test
    void cancelFromAnotherThreadWhileWaitingForTheHeadClosesTheConnection() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            conn.readRequest();
            conn.awaitClientClose(Duration.ofSeconds(10));
        }));
        RecordingListener l = send(stub.url("/v1/chat/completions"));
        stub.nextRequest(WAIT);

        long start = System.nanoTime();
        l.exchange.cancel();
        stub.connection(0, WAIT).clientClosed.get(1, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        assertStaysPending(l, Duration.ofMillis(300));
        assertTrue(l.events.isEmpty(), "no callback after cancel: " + l.events);
    }

    @Test
    void aCancelledWaitingRequestIsNeverSent() throws Exception {
        client = new NettyUpstreamClient(group, settings(1, 8, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            release.await();
            conn.write(StubBackend.response(200, "answer " + req.bodyText()));
            return true;
        }));
        RecordingListener a = send(post(stub.url("/v1/embeddings"), "a", WAIT));
        stub.nextRequest(WAIT);
        RecordingListener b = send(post(stub.url("/v1/embeddings"), "b", WAIT));
        b.exchange.cancel();
        onLoop(() -> null); // the cancel has run on the loop
        release.countDown();
        a.awaitEnd(WAIT);
        send(post(stub.url("/v1/embeddings"), "c", WAIT)).awaitEnd(WAIT);
        assertEquals("c", stub.nextRequest(WAIT).bodyText(), "b was dropped from the queue");
        assertTrue(b.events.isEmpty());
        assertEquals(1, stub.accepted());
    }

    /** Asserts that the exchange neither ends nor fails for the whole period (an absence can only be waited out). */
    static void assertStaysPending(RecordingListener l, Duration period) throws InterruptedException {
        long deadline = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < deadline) {
            assertFalse(l.outcome.isDone(), () -> "the exchange finished: " + l.events);
            Thread.sleep(10);
        }
        assertFalse(l.outcome.isDone(), () -> "the exchange finished: " + l.events);
    }
}
