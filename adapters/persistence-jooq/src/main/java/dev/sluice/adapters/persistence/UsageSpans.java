package dev.sluice.adapters.persistence;

import dev.sluice.application.port.UsageReader.Bucket;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a usage range into the pieces each aggregate table can answer exactly: whole UTC days
 * from the daily rollup, the whole hours at either end from the hourly one, and the minutes left
 * over from the minute table. Only tables no coarser than the asked bucket are used (an hour
 * bucket cannot be read from a day row), so "this month by day", which ends now, reads a few
 * thousand day and hour rows instead of a month of minutes.
 */
final class UsageSpans {
    /** One piece: {@code [from, to)} read from the table of {@code grain}. */
    record Span(Bucket grain, Instant from, Instant to) {
    }

    private UsageSpans() {
    }

    static List<Span> of(Instant from, Instant to, Bucket bucket) {
        List<Span> spans = new ArrayList<>();
        if (from.isBefore(to)) {
            split(from, to, bucket, spans);
        }
        return spans;
    }

    private static void split(Instant from, Instant to, Bucket grain, List<Span> into) {
        if (!from.isBefore(to)) {
            return;
        }
        if (grain == Bucket.MINUTE) {
            into.add(new Span(Bucket.MINUTE, from, to));
            return;
        }
        ChronoUnit unit = grain == Bucket.DAY ? ChronoUnit.DAYS : ChronoUnit.HOURS;
        Bucket finer = grain == Bucket.DAY ? Bucket.HOUR : Bucket.MINUTE;
        Instant start = ceil(from, unit);
        Instant end = to.truncatedTo(unit);
        if (!start.isBefore(end)) {
            split(from, to, finer, into);
            return;
        }
        split(from, start, finer, into);
        into.add(new Span(grain, start, end));
        split(end, to, finer, into);
    }

    private static Instant ceil(Instant t, ChronoUnit unit) {
        Instant floor = t.truncatedTo(unit);
        return floor.equals(t) ? t : floor.plus(1, unit);
    }
}
