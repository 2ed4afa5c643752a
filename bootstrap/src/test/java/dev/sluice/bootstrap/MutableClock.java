package dev.sluice.bootstrap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test clock that starts at a chosen instant, runs on at real speed from there (so timeouts and
 * latencies measured with it still make sense) and jumps forward on {@link #advance(Duration)}.
 * Replaces the production clock when {@code test.mutable-clock=true} (see {@link MutableClockFactory}).
 */
public final class MutableClock extends Clock {
    /** Where the clock starts unless {@code test.mutable-clock.start} says otherwise. */
    public static final Instant DEFAULT_START = Instant.parse("2026-03-31T23:58:00Z");

    private final AtomicReference<Instant> base;
    private final long baseNanos;

    public MutableClock(Instant start) {
        this.base = new AtomicReference<>(start);
        this.baseNanos = System.nanoTime();
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public void advance(Duration by) {
        base.updateAndGet(b -> b.plus(by));
    }

    @Override
    public Instant instant() {
        return base.get().plusNanos(System.nanoTime() - baseNanos);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("the test clock is UTC only");
    }
}
