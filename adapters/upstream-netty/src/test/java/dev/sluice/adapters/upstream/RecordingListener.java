package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records what an exchange reports: the events in order, the thread of each callback, the body
 * (its length and CRC, and the bytes themselves while small), and callbacks after the end.
 */
final class RecordingListener implements UpstreamListener {
    private static final int KEEP_BYTES = 1 << 20;

    record Head(int status, Map<String, String> headers) {
    }

    /** The final outcome: {@code failure} is null when the response ended normally. */
    record Outcome(UpstreamFailure failure) {
        boolean ended() {
            return failure == null;
        }
    }

    final CompletableFuture<Head> head = new CompletableFuture<>();
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> wrongThreads = new CopyOnWriteArrayList<>();
    final List<String> afterTerminal = new CopyOnWriteArrayList<>();
    final List<byte[]> chunks = new CopyOnWriteArrayList<>();

    /** The loop thread the exchange was started on, set by the test before calling send. */
    volatile Thread loopThread;
    /** The exchange, set on the loop right after send returns (before any network callback). */
    volatile UpstreamExchange exchange;
    volatile Consumer<RecordingListener> onHeadAction = l -> { };
    volatile Consumer<RecordingListener> onChunkAction = l -> { };

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CRC32 crc = new CRC32();
    private volatile long bytes;

    @Override
    public void onHead(int status, Map<String, String> headers) {
        observe("head " + status);
        head.complete(new Head(status, Map.copyOf(headers)));
        onHeadAction.accept(this);
    }

    @Override
    public void onChunk(byte[] data) {
        observe("chunk");
        synchronized (this) {
            crc.update(data);
            bytes += data.length;
            if (kept.size() < KEEP_BYTES) {
                kept.writeBytes(data);
                chunks.add(data);
            }
        }
        onChunkAction.accept(this);
    }

    @Override
    public void onEnd() {
        observe("end");
        outcome.complete(new Outcome(null));
    }

    @Override
    public void onFailure(UpstreamFailure failure) {
        observe("failure " + failure.kind());
        outcome.complete(new Outcome(failure));
    }

    private void observe(String event) {
        if (outcome.isDone()) {
            afterTerminal.add(event);
        }
        events.add(event);
        Thread t = Thread.currentThread();
        if (t != loopThread) {
            wrongThreads.add(event + " on " + t.getName() + " (expected " + (loopThread == null ? "?" : loopThread.getName()) + ")");
        }
    }

    long bytes() {
        return bytes;
    }

    synchronized long crc() {
        return crc.getValue();
    }

    synchronized String body() {
        return kept.toString(StandardCharsets.UTF_8);
    }

    List<String> chunkTexts() {
        List<String> out = new ArrayList<>();
        for (byte[] c : chunks) {
            out.add(new String(c, StandardCharsets.UTF_8));
        }
        return out;
    }

    Head awaitHead(Duration timeout) {
        return get(head, timeout, "no response head");
    }

    Outcome awaitOutcome(Duration timeout) {
        return get(outcome, timeout, "the exchange neither ended nor failed");
    }

    /** Waits for a normal end and returns this listener; fails with the failure otherwise. */
    RecordingListener awaitEnd(Duration timeout) {
        Outcome o = awaitOutcome(timeout);
        if (!o.ended()) {
            fail("expected a complete response but got " + o.failure() + "; events " + events);
        }
        return this;
    }

    UpstreamFailure awaitFailure(Duration timeout) {
        Outcome o = awaitOutcome(timeout);
        if (o.ended()) {
            fail("expected a failure but the response ended; events " + events);
        }
        return o.failure();
    }

    /** Every callback ran on the loop the exchange was started from, and none came after the end. */
    void assertWellBehaved() {
        assertTrue(wrongThreads.isEmpty(), "callbacks off the loop thread: " + wrongThreads);
        assertTrue(afterTerminal.isEmpty(), "callbacks after onEnd/onFailure: " + afterTerminal);
        long heads = events.stream().filter(e -> e.startsWith("head")).count();
        assertTrue(heads <= 1, "more than one head: " + events);
        if (outcome.isDone() && outcome.join().ended()) {
            assertEquals(1, heads, "a complete response without a head: " + events);
        }
    }

    private static <T> T get(CompletableFuture<T> future, Duration timeout, String message) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(message + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
