package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.application.port.HealthEventStore.Entry;
import dev.sluice.domain.routing.HealthEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.BACKEND_HEALTH_EVENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class JooqHealthEventStoreTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00.123456Z");

    private static TestDatabase db;
    private static JooqHealthEventStore store;
    private final UUID backend = UUID.randomUUID();

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
        store = new JooqHealthEventStore(db.dsl());
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTable() {
        db.dsl().deleteFrom(BACKEND_HEALTH_EVENT).execute();
    }

    private static HealthEvent event(HealthEvent.Kind kind, int secondsAfterT0, String reason, Instant until) {
        return new HealthEvent(kind, T0.plusSeconds(secondsAfterT0), Optional.ofNullable(reason), Optional.ofNullable(until));
    }

    @Test
    void givenEventsOfTwoBackends_whenOneIsRead_thenItsEventsComeBackNewestFirstWithEveryField() {
        HealthEvent opened = event(HealthEvent.Kind.OPENED, 1, "HTTP 502 Bad Gateway", T0.plusSeconds(11));
        HealthEvent halfOpen = event(HealthEvent.Kind.HALF_OPEN, 11, "cooldown over; one probe request let through", null);
        HealthEvent closed = event(HealthEvent.Kind.CLOSED, 12, null, null);
        store.append(List.of(new Entry(backend, opened), new Entry(backend, halfOpen), new Entry(backend, closed),
                new Entry(UUID.randomUUID(), event(HealthEvent.Kind.COOLING_DOWN, 5, "HTTP 429", T0.plusSeconds(65)))));

        assertEquals(List.of(closed, halfOpen, opened), store.find(backend, T0, T0.plusSeconds(60), 10));
    }

    @Test
    void givenARangeAndALimit_whenRead_thenOnlyTheNewestInTheHalfOpenRangeComeBack() {
        for (int i = 0; i < 10; i++) {
            store.append(List.of(new Entry(backend, event(HealthEvent.Kind.OPENED, i, "e" + i, null))));
        }

        List<HealthEvent> page = store.find(backend, T0.plusSeconds(2), T0.plusSeconds(8), 3);

        assertEquals(List.of("e7", "e6", "e5"), page.stream().map(e -> e.reason().orElseThrow()).toList());
    }

    @Test
    void givenOldAndNewEvents_whenDeletedBeforeACutoff_thenOnlyTheOldOnesGo() {
        store.append(List.of(new Entry(backend, event(HealthEvent.Kind.OPENED, 0, "old", null)),
                new Entry(backend, event(HealthEvent.Kind.CLOSED, 100, "new", null))));

        assertEquals(1, store.deleteBefore(T0.plusSeconds(50)));

        assertEquals(List.of("new"), store.find(backend, T0, T0.plusSeconds(200), 10).stream()
                .map(e -> e.reason().orElseThrow()).toList());
    }

    @Test
    void givenNoEvents_whenAppendedEmpty_thenNothingHappens() {
        store.append(List.of());
        assertEquals(List.of(), store.find(backend, T0, T0.plusSeconds(1), 10));
    }
}
