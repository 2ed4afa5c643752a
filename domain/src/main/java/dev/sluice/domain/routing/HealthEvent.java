package dev.sluice.domain.routing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change in one backend's health, as its {@link CircuitBreaker} saw it: the circuit opened (with
 * the error that opened it and when it may be probed again), went half-open, closed, or the
 * backend was told to cool down (a 429 with {@code Retry-After}).
 */
public record HealthEvent(Kind kind, Instant at, Optional<String> reason, Optional<Instant> until) {
    public enum Kind { OPENED, HALF_OPEN, CLOSED, COOLING_DOWN }

    /** Longest reason kept; upstream error texts can be long. */
    public static final int MAX_REASON = 500;

    public HealthEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        reason = Objects.requireNonNull(reason, "reason").map(r -> r.length() <= MAX_REASON ? r : r.substring(0, MAX_REASON));
        Objects.requireNonNull(until, "until");
    }

    /** Told about every change as it happens, under the breaker's lock: must not block. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = event -> { };

        void on(HealthEvent event);
    }
}
