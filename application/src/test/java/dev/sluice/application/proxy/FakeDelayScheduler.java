package dev.sluice.application.proxy;

import dev.sluice.application.port.DelayScheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The event loop's timer, on the test's {@link ManualClock}: it records every delay asked for
 * (retry backoffs, request deadlines) and runs a task only when the test lets enough time pass.
 */
public final class FakeDelayScheduler implements DelayScheduler {
    private final ManualClock clock;
    private final List<Timer> timers = new ArrayList<>();

    public FakeDelayScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Timer timer = new Timer(delay, clock.instant().plus(delay), task);
        timers.add(timer);
        return () -> timer.cancelled = true;
    }

    /** Every delay asked for so far, in order, whether it has run, is pending or was cancelled. */
    public List<Duration> delays() {
        return timers.stream().map(t -> t.delay).toList();
    }

    /** Timers neither run nor cancelled. */
    public int pending() {
        return (int) timers.stream().filter(Timer::pending).count();
    }

    /** Moves the clock on, running each timer that falls due, in order, at its due time. */
    public void advance(Duration duration) {
        Instant target = clock.instant().plus(duration);
        Timer due;
        while ((due = nextDueBy(target)) != null) {
            clock.moveTo(due.dueAt);
            due.ran = true;
            due.task.run();
        }
        clock.moveTo(target);
    }

    private Timer nextDueBy(Instant target) {
        return timers.stream()
                .filter(t -> t.pending() && !t.dueAt.isAfter(target))
                .min(Comparator.comparing(t -> t.dueAt))
                .orElse(null);
    }

    private static final class Timer {
        private final Duration delay;
        private final Instant dueAt;
        private final Runnable task;
        private boolean cancelled;
        private boolean ran;

        private Timer(Duration delay, Instant dueAt, Runnable task) {
            this.delay = delay;
            this.dueAt = dueAt;
            this.task = task;
        }

        private boolean pending() {
            return !cancelled && !ran;
        }
    }
}
