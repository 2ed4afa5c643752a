package dev.sluice.domain.quota;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fire times read in a zone's local time around its clock changes. In 2025 New York springs forward
 * on 9 March (02:00 EST → 03:00 EDT) and falls back on 2 November (02:00 EDT → 01:00 EST); Berlin on
 * 30 March (02:00 CET → 03:00 CEST) and 26 October (03:00 CEST → 02:00 CET).
 */
class CronScheduleTimeZoneTest {

    /** An ISO zoned date-time such as {@code 2025-03-09T01:00-05:00[America/New_York]}; the offset picks the occurrence. */
    private static ZonedDateTime at(String zoned) {
        return ZonedDateTime.parse(zoned);
    }

    private static List<ZonedDateTime> firesAfter(String expression, String after, int count) {
        CronSchedule schedule = CronSchedule.parse(expression);
        List<ZonedDateTime> fires = new ArrayList<>();
        ZonedDateTime t = at(after);
        for (int i = 0; i < count; i++) {
            t = schedule.next(t);
            fires.add(t);
        }
        return fires;
    }

    private static List<ZonedDateTime> firesAtOrBefore(String expression, String atOrBefore, int count) {
        CronSchedule schedule = CronSchedule.parse(expression);
        List<ZonedDateTime> fires = new ArrayList<>();
        ZonedDateTime t = at(atOrBefore);
        for (int i = 0; i < count; i++) {
            t = schedule.previous(t);
            fires.add(t);
            t = t.minusNanos(1);
        }
        return fires;
    }

    private static List<ZonedDateTime> all(String... zoned) {
        return List.of(zoned).stream().map(ZonedDateTime::parse).toList();
    }

    // --- UTC and fixed offsets

    @Test
    void givenUtc_thenLocalTimeIsUtc() {
        assertEquals(at("2025-03-10T00:00Z[UTC]"), CronSchedule.parse("0 0 * * *").next(at("2025-03-09T12:00Z[UTC]")));
    }

    @Test
    void givenKolkataAtPlusFiveThirty_thenMidnightIsHalfPastSixteenUtcTheDayBefore() {
        ZonedDateTime fire = CronSchedule.parse("0 0 * * *").next(at("2025-06-15T12:00+05:30[Asia/Kolkata]"));

        assertEquals(at("2025-06-16T00:00+05:30[Asia/Kolkata]"), fire);
        assertEquals(Instant.parse("2025-06-15T18:30:00Z"), fire.toInstant());
    }

    @Test
    void givenKolkata_thenHalfHourOffsetsDoNotShiftTheMinutes() {
        assertEquals(all("2025-06-15T12:30+05:30[Asia/Kolkata]", "2025-06-15T13:00+05:30[Asia/Kolkata]",
                        "2025-06-15T13:30+05:30[Asia/Kolkata]"),
                firesAfter("*/30 * * * *", "2025-06-15T12:00+05:30[Asia/Kolkata]", 3));
        assertEquals(at("2025-06-01T00:00+05:30[Asia/Kolkata]"),
                CronSchedule.parse("0 0 1 * *").previous(at("2025-06-15T12:00+05:30[Asia/Kolkata]")));
    }

    // --- spring forward: local times in the gap do not fire

    @Test
    void givenNewYorkSpringForward_thenTwoThirtyDoesNotFireThatDayButTheNext() {
        assertEquals(all("2025-03-08T02:30-05:00[America/New_York]", "2025-03-10T02:30-04:00[America/New_York]"),
                firesAfter("30 2 * * *", "2025-03-07T12:00-05:00[America/New_York]", 2));
    }

    @Test
    void givenNewYorkSpringForward_thenPreviousSkipsTheMissingTwoThirty() {
        assertEquals(at("2025-03-08T02:30-05:00[America/New_York]"),
                CronSchedule.parse("30 2 * * *").previous(at("2025-03-09T23:00-04:00[America/New_York]")));
        assertEquals(at("2025-03-08T02:30-05:00[America/New_York]"),
                CronSchedule.parse("30 2 * * *").previous(at("2025-03-09T03:30-04:00[America/New_York]")));
    }

    @Test
    void givenBerlinSpringForward_thenTwoThirtyDoesNotFireThatDayButTheNext() {
        assertEquals(all("2025-03-29T02:30+01:00[Europe/Berlin]", "2025-03-31T02:30+02:00[Europe/Berlin]"),
                firesAfter("30 2 * * *", "2025-03-29T00:00+01:00[Europe/Berlin]", 2));
        assertEquals(at("2025-03-29T02:30+01:00[Europe/Berlin]"),
                CronSchedule.parse("30 2 * * *").previous(at("2025-03-31T02:29+02:00[Europe/Berlin]")));
    }

    @Test
    void givenNewYorkSpringForward_thenHourlyGoesFromOneToThree() {
        List<ZonedDateTime> fires = all("2025-03-09T01:00-05:00[America/New_York]",
                "2025-03-09T03:00-04:00[America/New_York]", "2025-03-09T04:00-04:00[America/New_York]");

        assertEquals(fires, firesAfter("0 */1 * * *", "2025-03-09T00:30-05:00[America/New_York]", 3));
        assertEquals(fires.reversed(), firesAtOrBefore("0 */1 * * *", "2025-03-09T04:30-04:00[America/New_York]", 3));
    }

    @Test
    void givenBerlinSpringForward_thenHourlyGoesFromOneToThree() {
        List<ZonedDateTime> fires = all("2025-03-30T01:00+01:00[Europe/Berlin]", "2025-03-30T03:00+02:00[Europe/Berlin]");

        assertEquals(fires, firesAfter("0 */1 * * *", "2025-03-30T00:59+01:00[Europe/Berlin]", 2));
        assertEquals(fires.reversed(), firesAtOrBefore("0 */1 * * *", "2025-03-30T03:00+02:00[Europe/Berlin]", 2));
    }

    @Test
    void givenAnAfterTimeThatTheGapShiftedForward_thenTheNextMatchAfterTheGapFires() {
        // 02:30 does not exist on 9 March, so parse gives 03:30 EDT; 03:45 is the next quarter hour.
        assertEquals(at("2025-03-09T03:45-04:00[America/New_York]"),
                CronSchedule.parse("*/15 * * * *").next(at("2025-03-09T02:30-05:00[America/New_York]")));
    }

    @Test
    void givenAZoneThatSpringsForwardAtMidnight_thenDailyMidnightSkipsThatDay() {
        // Santiago goes from 00:00 -04:00 to 01:00 -03:00 on 7 September 2025: that day has no midnight.
        assertEquals(all("2025-09-06T00:00-04:00[America/Santiago]", "2025-09-08T00:00-03:00[America/Santiago]"),
                firesAfter("0 0 * * *", "2025-09-05T12:00-04:00[America/Santiago]", 2));
    }

    @Test
    void givenLordHoweHalfHourSpringForward_thenTheSkippedHalfHourDoesNotFire() {
        // Lord Howe goes from 02:00 +10:30 to 02:30 +11:00 on 5 October 2025.
        assertEquals(all("2025-10-05T01:45+10:30[Australia/Lord_Howe]", "2025-10-05T02:30+11:00[Australia/Lord_Howe]"),
                firesAfter("*/15 * * * *", "2025-10-05T01:30+10:30[Australia/Lord_Howe]", 2));
    }

    // --- fall back: a repeated local time fires once, the first time

    @Test
    void givenNewYorkFallBack_thenOneThirtyFiresOnceAtTheFirstOccurrence() {
        assertEquals(all("2025-11-01T01:30-04:00[America/New_York]", "2025-11-02T01:30-04:00[America/New_York]",
                        "2025-11-03T01:30-05:00[America/New_York]"),
                firesAfter("30 1 * * *", "2025-10-31T12:00-04:00[America/New_York]", 3));
    }

    @Test
    void givenTheSecondPassThroughTheOverlap_thenPreviousIsTheFirstOccurrence() {
        assertEquals(at("2025-11-02T01:30-04:00[America/New_York]"),
                CronSchedule.parse("30 1 * * *").previous(at("2025-11-02T01:10-05:00[America/New_York]")));
    }

    @Test
    void givenTheSecondPassThroughTheOverlap_thenNextDoesNotRepeatTheLocalTimesAlreadyFired() {
        assertEquals(at("2025-11-03T01:30-05:00[America/New_York]"),
                CronSchedule.parse("30 1 * * *").next(at("2025-11-02T01:10-05:00[America/New_York]")));
        assertEquals(at("2025-11-02T02:00-05:00[America/New_York]"),
                CronSchedule.parse("*/15 * * * *").next(at("2025-11-02T01:20-05:00[America/New_York]")));
    }

    @Test
    void givenTheSecondPassThroughTheOverlap_thenPreviousIsTheLastMinuteOfTheFirstPass() {
        assertEquals(at("2025-11-02T01:59-04:00[America/New_York]"),
                CronSchedule.parse("* * * * *").previous(at("2025-11-02T01:10-05:00[America/New_York]")));
    }

    @Test
    void givenNewYorkFallBack_thenHourlyFiresAtOneOnceThenTwo() {
        List<ZonedDateTime> fires = all("2025-11-02T00:00-04:00[America/New_York]",
                "2025-11-02T01:00-04:00[America/New_York]", "2025-11-02T02:00-05:00[America/New_York]",
                "2025-11-02T03:00-05:00[America/New_York]");

        assertEquals(fires, firesAfter("0 */1 * * *", "2025-11-01T23:30-04:00[America/New_York]", 4));
        assertEquals(fires.reversed(), firesAtOrBefore("0 */1 * * *", "2025-11-02T03:00-05:00[America/New_York]", 4));
        assertEquals(Instant.parse("2025-11-02T07:00:00Z"), fires.get(2).toInstant(), "two real hours after 01:00 EDT");
    }

    @Test
    void givenBerlinFallBack_thenTwoThirtyFiresOnceAndHourlyFiresAtTwoOnce() {
        assertEquals(all("2025-10-26T02:30+02:00[Europe/Berlin]", "2025-10-27T02:30+01:00[Europe/Berlin]"),
                firesAfter("30 2 * * *", "2025-10-25T12:00+02:00[Europe/Berlin]", 2));
        assertEquals(all("2025-10-26T01:00+02:00[Europe/Berlin]", "2025-10-26T02:00+02:00[Europe/Berlin]",
                        "2025-10-26T03:00+01:00[Europe/Berlin]"),
                firesAfter("0 */1 * * *", "2025-10-26T00:30+02:00[Europe/Berlin]", 3));
        assertEquals(at("2025-10-26T02:00+02:00[Europe/Berlin]"),
                CronSchedule.parse("0 */1 * * *").previous(at("2025-10-26T02:45+01:00[Europe/Berlin]")));
    }

    @Test
    void givenNewYorkFallBack_thenHalfHourlyRunsThroughTheFirstPassOnly() {
        assertEquals(all("2025-11-02T01:00-04:00[America/New_York]", "2025-11-02T01:30-04:00[America/New_York]",
                        "2025-11-02T02:00-05:00[America/New_York]"),
                firesAfter("*/30 * * * *", "2025-11-02T00:45-04:00[America/New_York]", 3));
    }
}
