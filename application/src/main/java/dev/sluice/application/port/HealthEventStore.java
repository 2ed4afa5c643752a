package dev.sluice.application.port;

import dev.sluice.domain.routing.HealthEvent;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Where backends' health events are kept, so that an operator can see when a backend was sick and why. */
public interface HealthEventStore {
    /** One event of one backend. */
    record Entry(UUID backendId, HealthEvent event) {
    }

    /** Stores the events (in one batch). */
    void append(List<Entry> entries);

    /** The backend's events in {@code [from, to)}, newest first, at most {@code limit}. */
    List<HealthEvent> find(UUID backendId, Instant from, Instant to, int limit);

    /** Forgets events older than {@code cutoff}; returns how many. */
    int deleteBefore(Instant cutoff);
}
