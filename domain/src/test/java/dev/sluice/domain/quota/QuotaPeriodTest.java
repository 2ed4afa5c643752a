package dev.sluice.domain.quota;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaPeriodTest {
    private static final CronSchedule DAILY = CronSchedule.parse("0 0 * * *");
    private static final CronSchedule MONTHLY = CronSchedule.parse("0 0 1 * *");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");

    private static Instant instant(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void givenDailyInUtc_thenThePeriodIsTheUtcDay() {
        QuotaPeriod period = QuotaPeriod.containing(DAILY, ZoneOffset.UTC, instant("2025-06-15T13:45:00Z"));

        assertEquals(new QuotaPeriod(instant("2025-06-15T00:00:00Z"), instant("2025-06-16T00:00:00Z")), period);
    }

    @Test
    void givenDailyInKolkata_thenThePeriodRunsFromLocalMidnightAtHalfPastSixteenUtc() {
        QuotaPeriod period = QuotaPeriod.containing(DAILY, KOLKATA, instant("2025-06-15T20:00:00Z"));

        assertEquals(new QuotaPeriod(instant("2025-06-15T18:30:00Z"), instant("2025-06-16T18:30:00Z")), period);
    }

    @Test
    void givenMonthlyInBerlin_thenThePeriodRunsFromLocalMidnightOnTheFirstAcrossTheClockChange() {
        // 1 March is at +01:00, 1 April at +02:00, so March's period is an hour short of 31 days.
        QuotaPeriod period = QuotaPeriod.containing(MONTHLY, BERLIN, instant("2025-03-15T12:00:00Z"));

        assertEquals(new QuotaPeriod(instant("2025-02-28T23:00:00Z"), instant("2025-03-31T22:00:00Z")), period);
        assertEquals(Duration.ofDays(31).minusHours(1), Duration.between(period.start(), period.end()));
    }

    @Test
    void givenDailyOnTheSpringForwardDay_thenThePeriodIsTwentyThreeHours() {
        QuotaPeriod period = QuotaPeriod.containing(DAILY, BERLIN, instant("2025-03-30T12:00:00Z"));

        assertEquals(new QuotaPeriod(instant("2025-03-29T23:00:00Z"), instant("2025-03-30T22:00:00Z")), period);
    }

    @Test
    void givenNowExactlyAtAReset_thenThePeriodStartsAtNow() {
        Instant reset = instant("2025-06-15T22:00:00Z"); // 00:00 in Berlin

        QuotaPeriod period = QuotaPeriod.containing(DAILY, BERLIN, reset);

        assertEquals(reset, period.start());
        assertEquals(instant("2025-06-16T22:00:00Z"), period.end());
        assertTrue(period.contains(reset));
    }

    @Test
    void givenNowJustBeforeAReset_thenThePeriodEndsAtThatReset() {
        QuotaPeriod period = QuotaPeriod.containing(DAILY, BERLIN, instant("2025-06-15T21:59:59.999999999Z"));

        assertEquals(new QuotaPeriod(instant("2025-06-14T22:00:00Z"), instant("2025-06-15T22:00:00Z")), period);
        assertEquals(Duration.ofNanos(1), period.remaining(instant("2025-06-15T21:59:59.999999999Z")));
    }

    @Test
    void givenAPeriod_thenItContainsItsStartButNotItsEnd() {
        QuotaPeriod period = new QuotaPeriod(instant("2025-06-15T00:00:00Z"), instant("2025-06-16T00:00:00Z"));

        assertTrue(period.contains(instant("2025-06-15T00:00:00Z")));
        assertTrue(period.contains(instant("2025-06-15T23:59:59.999999999Z")));
        assertFalse(period.contains(instant("2025-06-16T00:00:00Z")));
        assertFalse(period.contains(instant("2025-06-14T23:59:59.999999999Z")));
    }

    @Test
    void givenNowInsideThePeriod_thenRemainingIsTheTimeUntilItsEnd() {
        QuotaPeriod period = QuotaPeriod.containing(DAILY, ZoneOffset.UTC, instant("2025-06-15T13:45:30Z"));

        assertEquals(Duration.ofHours(10).plusMinutes(14).plusSeconds(30), period.remaining(instant("2025-06-15T13:45:30Z")));
        assertEquals(Duration.ofDays(1), period.remaining(period.start()));
    }

    @Test
    void givenNowAtOrAfterTheEnd_thenNothingRemains() {
        QuotaPeriod period = new QuotaPeriod(instant("2025-06-15T00:00:00Z"), instant("2025-06-16T00:00:00Z"));

        assertEquals(Duration.ZERO, period.remaining(instant("2025-06-16T00:00:00Z")));
        assertEquals(Duration.ZERO, period.remaining(instant("2025-07-01T00:00:00Z")));
    }

    @Test
    void givenAnEmptyOrBackwardsPeriod_thenItIsRejected() {
        Instant t = instant("2025-06-15T00:00:00Z");

        assertThrows(IllegalArgumentException.class, () -> new QuotaPeriod(t, t));
        assertThrows(IllegalArgumentException.class, () -> new QuotaPeriod(t, t.minusNanos(1)));
        assertThrows(NullPointerException.class, () -> new QuotaPeriod(null, t));
        assertThrows(NullPointerException.class, () -> new QuotaPeriod(t, null));
    }

    @Test
    void givenConsecutivePeriods_thenEachStartsWhereTheLastEnded() {
        QuotaPeriod march = QuotaPeriod.containing(MONTHLY, BERLIN, instant("2025-03-15T12:00:00Z"));

        QuotaPeriod april = QuotaPeriod.containing(MONTHLY, BERLIN, march.end());

        assertEquals(march.end(), april.start());
        assertFalse(march.contains(april.start()));
        assertTrue(april.contains(april.start()));
    }
}
