package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.UsageSpans.Span;
import dev.sluice.application.port.UsageReader.Bucket;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UsageSpansTest {
    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void givenThisMonthByDay_thenWholeDaysComeFromDays_theLastHoursFromHours_andTheLastMinutesFromMinutes() {
        List<Span> spans = UsageSpans.of(t("2026-12-01T00:00:00Z"), t("2026-12-04T21:07:30Z"), Bucket.DAY);

        assertEquals(List.of(
                new Span(Bucket.DAY, t("2026-12-01T00:00:00Z"), t("2026-12-04T00:00:00Z")),
                new Span(Bucket.HOUR, t("2026-12-04T00:00:00Z"), t("2026-12-04T21:00:00Z")),
                new Span(Bucket.MINUTE, t("2026-12-04T21:00:00Z"), t("2026-12-04T21:07:30Z"))), spans);
    }

    @Test
    void givenARaggedStartAndEnd_thenBothEdgesAreReadFromFinerTables() {
        List<Span> spans = UsageSpans.of(t("2026-12-01T22:30:00Z"), t("2026-12-04T01:15:00Z"), Bucket.DAY);

        assertEquals(List.of(
                new Span(Bucket.MINUTE, t("2026-12-01T22:30:00Z"), t("2026-12-01T23:00:00Z")),
                new Span(Bucket.HOUR, t("2026-12-01T23:00:00Z"), t("2026-12-02T00:00:00Z")),
                new Span(Bucket.DAY, t("2026-12-02T00:00:00Z"), t("2026-12-04T00:00:00Z")),
                new Span(Bucket.HOUR, t("2026-12-04T00:00:00Z"), t("2026-12-04T01:00:00Z")),
                new Span(Bucket.MINUTE, t("2026-12-04T01:00:00Z"), t("2026-12-04T01:15:00Z"))), spans);
    }

    @Test
    void givenHourBuckets_thenNoDayRowIsUsed() {
        List<Span> spans = UsageSpans.of(t("2026-12-01T00:00:00Z"), t("2026-12-03T00:10:00Z"), Bucket.HOUR);

        assertEquals(List.of(
                new Span(Bucket.HOUR, t("2026-12-01T00:00:00Z"), t("2026-12-03T00:00:00Z")),
                new Span(Bucket.MINUTE, t("2026-12-03T00:00:00Z"), t("2026-12-03T00:10:00Z"))), spans);
    }

    @Test
    void givenMinuteBucketsOrARangeShorterThanOneUnit_thenOnlyMinutes() {
        assertEquals(List.of(new Span(Bucket.MINUTE, t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"))),
                UsageSpans.of(t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"), Bucket.MINUTE));
        assertEquals(List.of(new Span(Bucket.MINUTE, t("2026-12-01T10:05:00Z"), t("2026-12-01T10:50:00Z"))),
                UsageSpans.of(t("2026-12-01T10:05:00Z"), t("2026-12-01T10:50:00Z"), Bucket.DAY));
    }

    @Test
    void givenAnEmptyRange_thenNoSpan() {
        assertEquals(List.of(), UsageSpans.of(t("2026-12-01T00:00:00Z"), t("2026-12-01T00:00:00Z"), Bucket.DAY));
    }
}
