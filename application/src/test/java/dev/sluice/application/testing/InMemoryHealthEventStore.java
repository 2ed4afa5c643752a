package dev.sluice.application.testing;

import dev.sluice.application.port.HealthEventStore;
import dev.sluice.domain.routing.HealthEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/** A {@link HealthEventStore} in a list, which can be told to fail like a database that is down. */
public final class InMemoryHealthEventStore implements HealthEventStore {
    private final List<Entry> stored = new ArrayList<>();
    private boolean down;

    public synchronized void down(boolean down) {
        this.down = down;
    }

    public synchronized int size() {
        return stored.size();
    }

    @Override
    public synchronized void append(List<Entry> entries) {
        failIfDown();
        stored.addAll(entries);
    }

    @Override
    public synchronized List<HealthEvent> find(UUID backendId, Instant from, Instant to, int limit) {
        failIfDown();
        return stored.stream().filter(e -> e.backendId().equals(backendId))
                .map(Entry::event)
                .filter(e -> !e.at().isBefore(from) && e.at().isBefore(to))
                .sorted(Comparator.comparing(HealthEvent::at).reversed())
                .limit(limit).toList();
    }

    @Override
    public synchronized int deleteBefore(Instant cutoff) {
        failIfDown();
        int before = stored.size();
        stored.removeIf(e -> e.event().at().isBefore(cutoff));
        return before - stored.size();
    }

    private void failIfDown() {
        if (down) {
            throw new IllegalStateException("store is down");
        }
    }
}
