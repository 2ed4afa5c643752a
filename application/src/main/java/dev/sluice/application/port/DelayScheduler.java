package dev.sluice.application.port;

import java.time.Duration;

/**
 * Runs a task later on the calling thread's event loop (retry backoff, request deadlines) —
 * waiting holds no thread.
 */
@FunctionalInterface
public interface DelayScheduler {
    Cancellable schedule(Duration delay, Runnable task);

    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
