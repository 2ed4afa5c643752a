package dev.sluice.application.queue;

import dev.sluice.application.port.DelayScheduler;
import dev.sluice.domain.limits.PriorityClass;
import dev.sluice.domain.limits.WaitingLine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests that no backend can admit now wait here, per model, in arrival order within their
 * priority class, holding no thread: a waiter is a continuation that is woken when capacity may
 * have freed (a request settled, or a window slid — a timer set for exactly that moment). Only
 * the head whose turn it is gets woken; when it is admitted it wakes the next. Bounded in size.
 */
public final class AdmissionQueue {
    /** A waiting request. {@link #wake()} must hand the retry to the request's own event loop and return. */
    public interface Waiter {
        PriorityClass priority();

        long enqueuedAtNanos();

        void wake();
    }

    private final int maxSize;
    private final DelayScheduler scheduler;
    private final Clock clock;
    private final AtomicInteger size = new AtomicInteger();
    private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();

    public AdmissionQueue(int maxSize, DelayScheduler scheduler, Clock clock) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("maxSize cannot be negative");
        }
        this.maxSize = maxSize;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    private static final class Line {
        final WaitingLine<Waiter> waiting = new WaitingLine<>();
        final AtomicLong admitted = new AtomicLong();
        final AtomicLong timedOut = new AtomicLong();
        final AtomicLong rejectedFull = new AtomicLong();
        Waiter woken;
        boolean rewake;
        long timerAt = Long.MAX_VALUE;
        DelayScheduler.Cancellable timer;
    }

    /** Whether requests for the model are waiting (a new arrival then queues behind them). */
    public boolean hasWaiters(String model) {
        Line line = lines.get(model);
        if (line == null) {
            return false;
        }
        synchronized (line) {
            return !line.waiting.isEmpty();
        }
    }

    /** Adds a waiter; false when the queue is full (the caller answers 429 at once). */
    public boolean enqueue(String model, Waiter waiter) {
        Line line = lines.computeIfAbsent(model, m -> new Line());
        if (size.incrementAndGet() > maxSize) {
            size.decrementAndGet();
            line.rejectedFull.incrementAndGet();
            return false;
        }
        synchronized (line) {
            line.waiting.add(waiter.priority(), waiter);
        }
        return true;
    }

    /** The waiter leaves (admitted, timed out or its client left); the waiter whose turn it is then tries. */
    public boolean leave(String model, Waiter waiter, Outcome outcome) {
        Line line = lines.get(model);
        if (line == null) {
            return false;
        }
        boolean removed;
        boolean wakeNext;
        synchronized (line) {
            if (outcome == Outcome.ADMITTED && line.waiting.contains(waiter)) {
                line.waiting.commitTurn(waiter.priority()); // a turn is spent only when a waiter is served
            }
            removed = line.waiting.remove(waiter);
            wakeNext = line.woken == waiter;
            if (wakeNext) {
                line.woken = null;
            }
        }
        if (removed) {
            size.decrementAndGet();
            switch (outcome) {
                case ADMITTED -> line.admitted.incrementAndGet();
                case TIMED_OUT -> line.timedOut.incrementAndGet();
                case GONE -> { }
            }
        }
        // whoever leaves, the waiter now first may fit where the one who left did not (a smaller request)
        if (removed || wakeNext) {
            wake(model);
        }
        return removed;
    }

    /** How a waiter left the queue. */
    public enum Outcome { ADMITTED, TIMED_OUT, GONE }

    /** The woken waiter could not be admitted yet; it stays first and is woken again at {@code retryAtMillis} or on release. */
    public void stillWaiting(String model, Waiter waiter, long retryAtMillis) {
        Line line = lines.get(model);
        if (line == null) {
            return;
        }
        boolean again = false;
        synchronized (line) {
            if (line.woken == waiter) {
                line.woken = null;
                // capacity freed while the waiter was checking: it must look again, or the wake-up is lost
                again = line.rewake;
                line.rewake = false;
            }
            if (retryAtMillis != Long.MAX_VALUE && retryAtMillis < line.timerAt) {
                if (line.timer != null) {
                    line.timer.cancel();
                }
                line.timerAt = retryAtMillis;
                // sub-millisecond delay: the timer fires when the window frees, not up to a millisecond later
                Duration delay = Duration.between(clock.instant(), java.time.Instant.ofEpochMilli(retryAtMillis));
                line.timer = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> {
                    synchronized (line) {
                        line.timer = null;
                        line.timerAt = Long.MAX_VALUE;
                    }
                    wake(model);
                });
            }
        }
        if (again) {
            wake(model);
        }
    }

    /**
     * When a window is next known to slide for the model's waiters (epoch millis), or
     * {@link Long#MAX_VALUE}: what a waiter that never got its turn can tell its client.
     */
    public long retryAt(String model) {
        Line line = lines.get(model);
        if (line == null) {
            return Long.MAX_VALUE;
        }
        synchronized (line) {
            return line.timerAt;
        }
    }

    /** Capacity may have freed for this model: the waiter whose turn it is tries again. */
    public void wake(String model) {
        Line line = lines.get(model);
        if (line == null) {
            return;
        }
        Waiter next;
        synchronized (line) {
            if (line.woken != null) {
                line.rewake = true;
                return;
            }
            if (line.waiting.isEmpty()) {
                return;
            }
            next = line.waiting.peekTurn();
            line.woken = next;
        }
        next.wake();
    }

    /** Capacity may have freed somewhere: every model with waiters gets a turn. */
    public void wakeAll() {
        for (String model : lines.keySet()) {
            wake(model);
        }
    }

    public int size() {
        return size.get();
    }

    /** Per model: waiting now, the oldest wait, and counts since start. */
    public record LineStats(String model, int waiting, long oldestWaitMillis, long admitted, long timedOut, long rejectedFull) {
    }

    public List<LineStats> stats() {
        Map<String, LineStats> out = new TreeMap<>();
        long now = System.nanoTime();
        lines.forEach((model, line) -> {
            int waiting;
            long oldest = 0;
            synchronized (line) {
                waiting = line.waiting.size();
                for (Waiter w : line.waiting.all()) {
                    oldest = Math.max(oldest, (now - w.enqueuedAtNanos()) / 1_000_000);
                }
            }
            out.put(model, new LineStats(model, waiting, oldest, line.admitted.get(), line.timedOut.get(), line.rejectedFull.get()));
        });
        return new ArrayList<>(out.values());
    }
}
