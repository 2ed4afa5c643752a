package dev.sluice.domain.quota;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The quota period containing an instant: from the last reset at or before it (inclusive) to the
 * next reset after it (exclusive), so a reset instant belongs to the period it starts.
 */
public record QuotaPeriod(Instant start, Instant end) {
    public QuotaPeriod {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("a quota period must start before it ends: " + start + " .. " + end);
        }
    }

    /** The period of {@code schedule}, read in {@code zone}, that contains {@code now}. */
    public static QuotaPeriod containing(CronSchedule schedule, ZoneId zone, Instant now) {
        var local = now.atZone(zone);
        return new QuotaPeriod(schedule.previous(local).toInstant(), schedule.next(local).toInstant());
    }

    /** Whether {@code t} falls in {@code [start, end)}. */
    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** The time from {@code now} until the next reset; zero once the period has ended. */
    public Duration remaining(Instant now) {
        return now.isBefore(end) ? Duration.between(now, end) : Duration.ZERO;
    }
}
