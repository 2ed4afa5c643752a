package dev.sluice.application.proxy;

import java.util.Map;

/**
 * Where the proxy writes its answer to the client, implemented by the HTTP edge. The head is
 * written once; chunks follow in order; {@code end} or {@code abort} finishes. All calls happen
 * on the client connection's event loop.
 */
public interface ResponseSink {
    /**
     * Writes the status line and headers. {@code contentLength} is the exact body length, or -1
     * for a body of unknown length (sent chunked).
     */
    void head(int status, String contentType, long contentLength, Map<String, String> headers);

    void chunk(byte[] data);

    void end();

    /** Ends the response abruptly (closes the connection): the body cannot be completed. */
    void abort();

    /** Runs {@code action} once if the client goes away before the response ends. */
    void onClientGone(Runnable action);

    /** Tells the listener when the client stops or starts keeping up with what is written. */
    void onWritabilityChanged(WritabilityListener listener);

    /**
     * Runs a task on the client connection's event loop (a request woken from the queue by another
     * thread continues there). The default runs it at once, for sinks without a loop of their own.
     */
    default void execute(Runnable task) {
        task.run();
    }

    @FunctionalInterface
    interface WritabilityListener {
        void writable(boolean writable);
    }
}
