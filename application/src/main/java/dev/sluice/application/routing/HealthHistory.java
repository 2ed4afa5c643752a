package dev.sluice.application.routing;

import dev.sluice.application.port.HealthEventStore;
import dev.sluice.domain.routing.HealthEvent;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The health events of every backend on their way to the {@link HealthEventStore}. The breakers
 * tell it of a change on the request path, so {@link #record} only queues the event (a short lock,
 * no I/O); {@link #flush} copies what is queued to the store from a background thread and removes
 * it once stored. If the store is down, events wait (up to {@code capacity}; beyond it the oldest
 * are dropped and counted, so a breaker flapping through a long outage cannot grow the heap) and go
 * with the next flush. Reads merge the events not yet stored, so a change shows at once.
 */
public final class HealthHistory {
    private record Queued(long seq, HealthEventStore.Entry entry) {
    }

    private final HealthEventStore store;
    private final int capacity;
    private final ArrayDeque<Queued> pending = new ArrayDeque<>();
    private long nextSeq;
    private long dropped;

    public HealthHistory(HealthEventStore store, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.store = store;
        this.capacity = capacity;
    }

    /** The listener one backend's breaker tells its changes to. */
    public HealthEvent.Listener listenerFor(UUID backendId) {
        return event -> record(backendId, event);
    }

    /** Queues one event; never waits on the store. */
    public synchronized void record(UUID backendId, HealthEvent event) {
        pending.addLast(new Queued(nextSeq++, new HealthEventStore.Entry(backendId, event)));
        if (pending.size() > capacity) {
            pending.removeFirst();
            dropped++;
        }
    }

    /**
     * Stores what is queued and returns how many events that was. When the store fails the events
     * stay queued and the failure is thrown for the caller to log; the next flush tries again.
     * Called from one background thread at a time.
     */
    public int flush() {
        List<Queued> batch;
        synchronized (this) {
            batch = List.copyOf(pending);
        }
        if (batch.isEmpty()) {
            return 0;
        }
        store.append(batch.stream().map(Queued::entry).toList());
        long last = batch.getLast().seq();
        synchronized (this) {
            while (!pending.isEmpty() && pending.peekFirst().seq() <= last) {
                pending.removeFirst();
            }
        }
        return batch.size();
    }

    /** The backend's events in {@code [from, to)}, newest first, at most {@code limit}, stored or still queued. */
    public List<HealthEvent> find(UUID backendId, Instant from, Instant to, int limit) {
        List<HealthEvent> events = new ArrayList<>();
        synchronized (this) {
            for (Queued q : pending) {
                Instant at = q.entry().event().at();
                if (q.entry().backendId().equals(backendId) && !at.isBefore(from) && at.isBefore(to)) {
                    events.add(q.entry().event());
                }
            }
        }
        events.addAll(store.find(backendId, from, to, limit));
        // an event stored by a flush that has not yet removed it from the queue is seen twice
        return events.stream().distinct().sorted(Comparator.comparing(HealthEvent::at).reversed()).limit(limit).toList();
    }

    /** Forgets stored events older than {@code cutoff}; returns how many. */
    public int forgetBefore(Instant cutoff) {
        return store.deleteBefore(cutoff);
    }

    /** Events waiting for the store. */
    public synchronized int pending() {
        return pending.size();
    }

    /** Events dropped because the store was down too long. */
    public synchronized long dropped() {
        return dropped;
    }
}
