package dev.sluice.application.routing;

import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.HealthEvent;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The passive and active health of every backend, in memory, one circuit breaker each. */
public final class BackendHealth {
    private final ConcurrentHashMap<UUID, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final CircuitBreaker.Settings settings;
    private final Clock clock;
    private final Function<UUID, HealthEvent.Listener> listeners;

    public BackendHealth(CircuitBreaker.Settings settings, Clock clock) {
        this(settings, clock, id -> HealthEvent.Listener.NONE);
    }

    /** Each backend's breaker tells {@code listeners.apply(backendId)} of its changes (the {@link HealthHistory}). */
    public BackendHealth(CircuitBreaker.Settings settings, Clock clock, Function<UUID, HealthEvent.Listener> listeners) {
        this.settings = settings;
        this.clock = clock;
        this.listeners = listeners;
    }

    public CircuitBreaker of(UUID backendId) {
        return breakers.computeIfAbsent(backendId, id -> new CircuitBreaker(settings, clock.millis(), listeners.apply(id)));
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
