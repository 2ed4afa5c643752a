package dev.sluice.application.routing;

import dev.sluice.domain.routing.CircuitBreaker;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The passive and active health of every backend, in memory, one circuit breaker each. */
public final class BackendHealth {
    private final ConcurrentHashMap<UUID, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final CircuitBreaker.Settings settings;
    private final Clock clock;

    public BackendHealth(CircuitBreaker.Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public CircuitBreaker of(UUID backendId) {
        return breakers.computeIfAbsent(backendId, id -> new CircuitBreaker(settings, clock.millis()));
    }

    public CircuitBreaker.Health health(UUID backendId) {
        return of(backendId).health(clock.millis());
    }

    public long now() {
        return clock.millis();
    }

    /** Forgets a deleted backend. */
    public void forget(UUID backendId) {
        breakers.remove(backendId);
    }
}
