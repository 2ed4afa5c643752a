package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection limits, waiting, idle eviction and the stale kept-alive connection. */
class UpstreamPoolTest extends UpstreamTestSupport {

    @Test
    void neverMoreThanMaxConnectionsPerHostAndEveryRequestCompletes() throws Exception {
        client = new NettyUpstreamClient(group, settings(2, 100, Duration.ofSeconds(30)));
        AtomicInteger clientOpenSeen = new AtomicInteger();
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            clientOpenSeen.accumulateAndGet(client.openConnections(), Math::max);
            Thread.sleep(100);
            conn.write(StubBackend.response(200, "done " + req.bodyText()));
            return true;
        }));

        List<RecordingListener> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(send(post(stub.url("/v1/embeddings"), "#" + i, WAIT)));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("done #" + i, calls.get(i).awaitEnd(WAIT).body());
        }

        assertTrue(stub.maxOpen.get() <= 2, "the stub saw " + stub.maxOpen.get() + " concurrent connections");
        assertEquals(2, stub.accepted(), "two connections carried all ten requests");
        assertTrue(clientOpenSeen.get() <= 2, "the client had " + clientOpenSeen.get() + " connections open");
        Set<Integer> ports = new HashSet<>();
        stub.requests.forEach(r -> ports.add(r.remotePort()));
        assertEquals(2, ports.size());
        assertEquals(10, stub.requests.size());
    }

    @Test
    void withNoRoomToWaitTheExcessFailsAtOnceWithPoolExhausted() throws Exception {
        client = new NettyUpstreamClient(group, settings(1, 0, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            release.await();
            conn.write(StubBackend.response(200, "slow"));
            return true;
        }));
        RecordingListener first = send(stub.url("/v1/chat/completions"));
        stub.nextRequest(WAIT); // the only connection is busy now

        long start = System.nanoTime();
        List<RecordingListener> excess = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            excess.add(send(stub.url("/v1/chat/completions")));
        }
        for (RecordingListener l : excess) {
            assertEquals(UpstreamFailure.Kind.POOL_EXHAUSTED, l.awaitFailure(Duration.ofSeconds(1)).kind());
        }
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1000), "the excess fails at once");
        assertFalse(first.outcome.isDone(), "the request holding the connection is unaffected");

        release.countDown();
        assertEquals("slow", first.awaitEnd(WAIT).body());
        assertEquals(1, stub.accepted());
        assertTrue(stub.requests.isEmpty(), "no refused request reached the backend");
    }

    @Test
    void waitingRequestsAreServedInOrderUpToTheBound() throws Exception {
        client = new NettyUpstreamClient(group, settings(1, 1, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            release.await();
            conn.write(StubBackend.response(200, "answer " + req.bodyText()));
            return true;
        }));
        RecordingListener a = send(post(stub.url("/v1/embeddings"), "a", WAIT));
        stub.nextRequest(WAIT);
        RecordingListener b = send(post(stub.url("/v1/embeddings"), "b", WAIT));
        RecordingListener c = send(post(stub.url("/v1/embeddings"), "c", WAIT));
        assertEquals(UpstreamFailure.Kind.POOL_EXHAUSTED, c.awaitFailure(Duration.ofSeconds(1)).kind());
        assertFalse(b.outcome.isDone(), "b waits for the connection");

        release.countDown();
        assertEquals("answer a", a.awaitEnd(WAIT).body());
        assertEquals("answer b", b.awaitEnd(WAIT).body());
        assertEquals(1, stub.accepted(), "b got a's connection when a finished");
    }

    @Test
    void aRequestThatWaitsLongerThanItsTimeoutFailsAndIsNeverSent() throws Exception {
        client = new NettyUpstreamClient(group, settings(1, 8, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            release.await();
            conn.write(StubBackend.response(200, "answer " + req.bodyText()));
            return true;
        }));
        RecordingListener a = send(post(stub.url("/v1/embeddings"), "a", WAIT));
        stub.nextRequest(WAIT);
        RecordingListener b = send(post(stub.url("/v1/embeddings"), "b", Duration.ofMillis(300)));
        assertEquals(UpstreamFailure.Kind.TIMEOUT, b.awaitFailure(WAIT).kind());

        release.countDown();
        a.awaitEnd(WAIT);
        RecordingListener d = send(post(stub.url("/v1/embeddings"), "d", WAIT)).awaitEnd(WAIT);
        assertEquals("answer d", d.body());
        assertEquals("d", stub.nextRequest(WAIT).bodyText(), "the timed-out request was dropped from the queue");
        assertTrue(stub.requests.isEmpty());
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        client = new NettyUpstreamClient(group, settings(4, 16, Duration.ofMillis(200)));
        StubBackend stub = stub(StubBackend.serving((req, conn) -> {
            conn.write(StubBackend.response(200, "ok"));
            return true;
        }));
        send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        long ended = System.nanoTime();
        assertEquals(1, client.openConnections());

        String closed = stub.connection(0, WAIT).clientClosed.get(3, TimeUnit.SECONDS);
        long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
        assertEquals("eof", closed, "the client closed the idle connection");
        assertTrue(idleMillis >= 150, "closed too early, after " + idleMillis + " ms");
        assertTrue(idleMillis < 2000, "closed too late, after " + idleMillis + " ms");
        Poll.until(() -> client.openConnections() == 0, WAIT, "the evicted connection is no longer counted");
    }

    @Test
    void aKeptAliveConnectionTheBackendClosedWhileIdleIsNotUsed() throws Exception {
        CountDownLatch closeNow = new CountDownLatch(1);
        StubBackend stub = stub(new StubBackend(conn -> {
            if (conn.index == 0) {
                conn.readRequest();
                conn.write(StubBackend.response(200, "first"));
                closeNow.await();
                conn.close();
                return;
            }
            StubBackend.Request req;
            while ((req = conn.readRequest()) != null) {
                conn.write(StubBackend.response(200, "fresh " + req.bodyText()));
            }
        }));
        send(stub.url("/v1/embeddings")).awaitEnd(WAIT);
        assertEquals(1, client.openConnections(), "the connection is idle in the pool");
        closeNow.countDown();
        Poll.until(() -> client.openConnections() == 0, WAIT, "the client notices the idle connection closed");

        RecordingListener second = send(post(stub.url("/v1/embeddings"), "two", WAIT)).awaitEnd(WAIT);
        assertEquals("fresh two", second.body());
        assertEquals(2, stub.accepted());
    }

    @Test
    void aStaleKeptAliveConnectionClosedAsTheRequestGoesOutIsRetriedOnceOnAFreshOne() throws Exception {
        assertStaleConnectionIsRetried(false);
    }

    @Test
    void aStaleKeptAliveConnectionResetAsTheRequestGoesOutIsRetriedOnceOnAFreshOne() throws Exception {
        assertStaleConnectionIsRetried(true);
    }

    private void assertStaleConnectionIsRetried(boolean reset) throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            if (conn.index == 0) {
                conn.readRequest();
                conn.write(StubBackend.response(200, "first"));
                // the backend dropped the connection just as the next request arrived on it
                conn.readRequest();
                if (reset) {
                    conn.reset();
                } else {
                    conn.close();
                }
                return;
            }
            StubBackend.Request req;
            while ((req = conn.readRequest()) != null) {
                conn.write(StubBackend.response(200, "fresh " + req.bodyText()));
            }
        }));
        send(post(stub.url("/v1/embeddings"), "one", WAIT)).awaitEnd(WAIT);
        RecordingListener second = send(post(stub.url("/v1/embeddings"), "two", WAIT)).awaitEnd(WAIT);

        assertEquals("fresh two", second.body());
        assertEquals(List.of("head 200", "chunk", "end"), second.events, "the retry is invisible to the listener");
        assertEquals(2, stub.accepted());
        assertEquals("one", stub.nextRequest(WAIT).bodyText());
        StubBackend.Request onStale = stub.nextRequest(WAIT);
        StubBackend.Request onFresh = stub.nextRequest(WAIT);
        assertEquals("two", onStale.bodyText());
        assertEquals(0, onStale.connection());
        assertEquals("two", onFresh.bodyText());
        assertEquals(1, onFresh.connection());
    }

    @Test
    void theStaleConnectionRetryHappensOnlyOnce() throws Exception {
        StubBackend stub = stub(new StubBackend(conn -> {
            if (conn.index == 0) {
                conn.readRequest();
                conn.write(StubBackend.response(200, "first"));
            }
            conn.readRequest();
            conn.close(); // every later request is dropped without an answer
        }));
        send(post(stub.url("/v1/embeddings"), "one", WAIT)).awaitEnd(WAIT);
        RecordingListener second = send(post(stub.url("/v1/embeddings"), "two", WAIT));

        assertEquals(UpstreamFailure.Kind.RESET, second.awaitFailure(WAIT).kind());
        assertEquals(2, stub.accepted(), "one retry, no more");
        assertEquals(3, stub.requests.size());
        Poll.until(() -> client.openConnections() == 0, WAIT, "both connections are closed");
    }
}
