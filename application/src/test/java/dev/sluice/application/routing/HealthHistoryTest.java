package dev.sluice.application.routing;

import dev.sluice.application.testing.InMemoryHealthEventStore;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.HealthEvent;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HealthHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant FAR = T0.plusSeconds(86_400);
    private final UUID backend = UUID.randomUUID();
    private final InMemoryHealthEventStore store = new InMemoryHealthEventStore();

    private static HealthEvent opened(int secondsAfterT0) {
        return new HealthEvent(HealthEvent.Kind.OPENED, T0.plusSeconds(secondsAfterT0), Optional.of("HTTP 502"),
                Optional.of(T0.plusSeconds(secondsAfterT0 + 10)));
    }

    @Test
    void givenRecordedEvents_whenFlushed_thenTheStoreHoldsThem_andTheQueueIsEmpty() {
        HealthHistory history = new HealthHistory(store, 100);
        history.listenerFor(backend).on(opened(1));
        history.record(backend, opened(2));

        assertEquals(2, history.flush());

        assertEquals(2, store.size());
        assertEquals(0, history.pending());
        assertEquals(0, history.flush(), "nothing is stored twice");
    }

    @Test
    void givenEventsNotYetFlushed_whenRead_thenTheyShowNewestFirstBesideStoredOnes() {
        HealthHistory history = new HealthHistory(store, 100);
        history.record(backend, opened(1));
        history.flush();
        history.record(backend, opened(3));
        history.record(UUID.randomUUID(), opened(2));

        List<HealthEvent> events = history.find(backend, T0, FAR, 10);

        assertEquals(List.of(opened(3), opened(1)), events);
        assertEquals(List.of(opened(3)), history.find(backend, T0, FAR, 1), "the limit keeps the newest");
        assertEquals(List.of(opened(1)), history.find(backend, T0, T0.plusSeconds(2), 10), "the range is [from, to)");
    }

    @Test
    void givenTheStoreIsDown_whenFlushed_thenTheFailureIsThrown_andTheEventsGoWithTheNextFlush() {
        HealthHistory history = new HealthHistory(store, 100);
        history.record(backend, opened(1));
        store.down(true);

        assertThrows(IllegalStateException.class, history::flush);
        history.record(backend, opened(2));
        store.down(false);

        assertEquals(2, history.flush());
        assertEquals(List.of(opened(2), opened(1)), history.find(backend, T0, FAR, 10));
    }

    @Test
    void givenALongOutage_whenTheQueueIsFull_thenTheOldestEventsAreDroppedAndCounted() {
        HealthHistory history = new HealthHistory(store, 3);
        for (int i = 0; i < 5; i++) {
            history.record(backend, opened(i));
        }

        assertEquals(3, history.pending());
        assertEquals(2, history.dropped());
        history.flush();
        assertEquals(List.of(opened(4), opened(3), opened(2)), history.find(backend, T0, FAR, 10));
    }

    @Test
    void givenOldEvents_whenForgotten_thenOnlyNewerOnesRemain() {
        HealthHistory history = new HealthHistory(store, 100);
        history.record(backend, opened(1));
        history.record(backend, opened(100));
        history.flush();

        assertEquals(1, history.forgetBefore(T0.plusSeconds(50)));
        assertEquals(List.of(opened(100)), history.find(backend, T0, FAR, 10));
    }

    @Test
    void givenABreakerOfBackendHealth_whenItTrips_thenTheHistoryHearsOfIt() {
        HealthHistory history = new HealthHistory(store, 100);
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        BackendHealth health = new BackendHealth(CircuitBreaker.Settings.defaults(), clock,
                history::listenerFor);

        for (int i = 0; i < 5; i++) {
            health.of(backend).onFailure(clock.millis(), "HTTP 500");
        }

        List<HealthEvent> events = history.find(backend, T0, FAR, 10);
        assertEquals(1, events.size());
        assertEquals(HealthEvent.Kind.OPENED, events.getFirst().kind());
        assertEquals(Optional.of("HTTP 500"), events.getFirst().reason());
    }
}
