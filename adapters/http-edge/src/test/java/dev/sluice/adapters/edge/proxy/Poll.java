package dev.sluice.adapters.edge.proxy;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling, instead of sleeping a fixed time. */
final class Poll {
    private Poll() {
    }

    static void until(BooleanSupplier condition, Duration timeout, String message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message + " (waited " + timeout.toMillis() + " ms)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
