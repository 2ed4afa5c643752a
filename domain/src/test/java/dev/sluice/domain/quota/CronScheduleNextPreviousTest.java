package dev.sluice.domain.quota;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fire times in UTC, where no clock changes get in the way; see {@link CronScheduleTimeZoneTest} for those. */
class CronScheduleNextPreviousTest {

    private static ZonedDateTime utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZoneOffset.UTC);
    }

    private static ZonedDateTime next(String expression, String after) {
        return CronSchedule.parse(expression).next(utc(after));
    }

    private static ZonedDateTime previous(String expression, String atOrBefore) {
        return CronSchedule.parse(expression).previous(utc(atOrBefore));
    }

    /** The next {@code count} fire times after {@code after}, as local date-times. */
    private static List<String> firesAfter(String expression, String after, int count) {
        CronSchedule schedule = CronSchedule.parse(expression);
        List<String> fires = new ArrayList<>();
        ZonedDateTime t = utc(after);
        for (int i = 0; i < count; i++) {
            t = schedule.next(t);
            fires.add(t.toLocalDateTime().toString());
        }
        return fires;
    }

    /** The last {@code count} fire times at or before {@code atOrBefore}, latest first. */
    private static List<String> firesAtOrBefore(String expression, String atOrBefore, int count) {
        CronSchedule schedule = CronSchedule.parse(expression);
        List<String> fires = new ArrayList<>();
        ZonedDateTime t = utc(atOrBefore);
        for (int i = 0; i < count; i++) {
            t = schedule.previous(t);
            fires.add(t.toLocalDateTime().toString());
            t = t.minusNanos(1);
        }
        return fires;
    }

    // --- strictly after, at or before

    @Test
    void givenAFireTime_thenNextIsTheOneAfterItAndPreviousIsItself() {
        assertEquals(utc("2025-01-02T00:00"), next("0 0 * * *", "2025-01-01T00:00"));
        assertEquals(utc("2025-01-01T00:00"), previous("0 0 * * *", "2025-01-01T00:00"));
    }

    @Test
    void givenSecondsAndNanosAfterAFireTime_thenPreviousIsThatMinuteAndNextIsTheOneAfter() {
        assertEquals(utc("2025-01-01T00:00"), previous("0 0 * * *", "2025-01-01T00:00:00.000000001"));
        assertEquals(utc("2025-01-01T00:00"), previous("0 0 * * *", "2025-01-01T00:00:59.999"));
        assertEquals(utc("2025-01-02T00:00"), next("0 0 * * *", "2025-01-01T00:00:00.5"));
    }

    @Test
    void givenJustBeforeAFireTime_thenNextIsThatFireTime() {
        assertEquals(utc("2025-01-02T00:00"), next("0 0 * * *", "2025-01-01T23:59:59.999999999"));
        assertEquals(utc("2025-01-01T00:00"), previous("0 0 * * *", "2025-01-01T23:59:59.999999999"));
    }

    @Test
    void givenEveryMinute_thenNextIsTheFollowingMinute() {
        assertEquals(List.of("2025-01-01T00:01", "2025-01-01T00:02"), firesAfter("* * * * *", "2025-01-01T00:00:30", 2));
        assertEquals(utc("2025-01-01T00:00"), previous("* * * * *", "2025-01-01T00:00:30"));
    }

    @Test
    void givenAZonedDateTime_thenTheAnswerIsInItsZone() {
        ZonedDateTime after = ZonedDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(3));

        assertEquals(ZonedDateTime.of(2025, 1, 2, 0, 0, 0, 0, ZoneOffset.ofHours(3)),
                CronSchedule.parse("0 0 * * *").next(after));
    }

    // --- the common schedules

    @Test
    void givenDaily_thenMidnightEveryDay() {
        assertEquals(List.of("2025-06-16T00:00", "2025-06-17T00:00", "2025-06-18T00:00"),
                firesAfter("0 0 * * *", "2025-06-15T13:45", 3));
        assertEquals(List.of("2025-06-15T00:00", "2025-06-14T00:00"), firesAtOrBefore("0 0 * * *", "2025-06-15T13:45", 2));
    }

    @Test
    void givenEverySixHours_thenAtZeroSixTwelveAndEighteen() {
        assertEquals(List.of("2025-06-15T18:00", "2025-06-16T00:00", "2025-06-16T06:00", "2025-06-16T12:00"),
                firesAfter("0 */6 * * *", "2025-06-15T13:45", 4));
        assertEquals(List.of("2025-06-15T12:00", "2025-06-15T06:00", "2025-06-15T00:00", "2025-06-14T18:00"),
                firesAtOrBefore("0 */6 * * *", "2025-06-15T13:45", 4));
    }

    @Test
    void givenWeeklyOnMonday_thenMidnightEachMonday() {
        // 2025-06-15 is a Sunday.
        assertEquals(List.of("2025-06-16T00:00", "2025-06-23T00:00", "2025-06-30T00:00"),
                firesAfter("0 0 * * 1", "2025-06-15T13:45", 3));
        assertEquals(List.of("2025-06-09T00:00", "2025-06-02T00:00"), firesAtOrBefore("0 0 * * 1", "2025-06-15T13:45", 2));
        assertEquals(utc("2025-06-23T00:00"), next("0 0 * * MON", "2025-06-16T00:00"));
    }

    @Test
    void givenMonthly_thenMidnightOnTheFirst() {
        assertEquals(List.of("2025-07-01T00:00", "2025-08-01T00:00", "2025-09-01T00:00"),
                firesAfter("0 0 1 * *", "2025-06-15T13:45", 3));
        assertEquals(List.of("2025-06-01T00:00", "2025-05-01T00:00"), firesAtOrBefore("0 0 1 * *", "2025-06-15T13:45", 2));
    }

    @Test
    void givenWeekdayMornings_thenNineThirtyMondayToFriday() {
        // 2025-06-13 is a Friday.
        assertEquals(List.of("2025-06-16T09:30", "2025-06-17T09:30", "2025-06-18T09:30", "2025-06-19T09:30",
                        "2025-06-20T09:30", "2025-06-23T09:30"),
                firesAfter("30 9 * * MON-FRI", "2025-06-13T09:30", 6));
        assertEquals(List.of("2025-06-13T09:30", "2025-06-12T09:30"),
                firesAtOrBefore("30 9 * * MON-FRI", "2025-06-16T09:29", 2));
    }

    @Test
    void givenLeapDay_thenTheNextLeapYearsTwentyNinthOfFebruary() {
        assertEquals(utc("2028-02-29T00:00"), next("0 0 29 2 *", "2025-01-01T00:00"));
        assertEquals(utc("2032-02-29T00:00"), next("0 0 29 2 *", "2028-02-29T00:00"));
        assertEquals(utc("2024-02-29T00:00"), previous("0 0 29 2 *", "2028-02-28T23:59"));
    }

    @Test
    void givenLeapDayAcrossACenturyThatIsNotALeapYear_thenEightYearsLater() {
        assertEquals(utc("2104-02-29T00:00"), next("0 0 29 2 *", "2096-03-01T00:00"));
        assertEquals(utc("2096-02-29T00:00"), previous("0 0 29 2 *", "2104-02-28T00:00"));
    }

    @Test
    void givenTheThirtyFirst_thenMonthsWithoutOneAreSkipped() {
        assertEquals(List.of("2025-01-31T00:00", "2025-03-31T00:00", "2025-05-31T00:00", "2025-07-31T00:00",
                        "2025-08-31T00:00", "2025-10-31T00:00", "2025-12-31T00:00", "2026-01-31T00:00"),
                firesAfter("0 0 31 * *", "2025-01-01T00:00", 8));
        assertEquals(List.of("2025-12-31T00:00", "2025-10-31T00:00", "2025-08-31T00:00", "2025-07-31T00:00"),
                firesAtOrBefore("0 0 31 * *", "2026-01-30T00:00", 4));
    }

    @Test
    void givenARareLeapDayWeekday_thenItIsFoundDecadesAway() {
        // Both day fields must match as day-of-week starts with '*': Feb 29 on a Sunday or a Wednesday or a Saturday.
        assertEquals(utc("2032-02-29T00:00"), next("0 0 29 2 */3", "2025-01-01T00:00"));
        // Feb 29 on a Sunday or a Saturday: 2020, 2032, 2048.
        assertEquals(utc("2048-02-29T00:00"), next("0 0 29 2 */6", "2032-02-29T00:00"));
        assertEquals(utc("2032-02-29T00:00"), previous("0 0 29 2 */6", "2048-02-28T00:00"));
    }

    // --- rollovers

    @Test
    void givenTheLastMinuteOfAMonth_thenNextRollsIntoTheNextMonth() {
        assertEquals(utc("2025-05-01T00:00"), next("* * * * *", "2025-04-30T23:59"));
        assertEquals(utc("2025-03-01T00:00"), next("0 0 * * *", "2025-02-28T00:00"));
        assertEquals(utc("2024-02-29T00:00"), next("0 0 * * *", "2024-02-28T00:00"));
    }

    @Test
    void givenAFirstOfMonth_thenPreviousRollsBackIntoTheLastDayOfTheMonthBefore() {
        assertEquals(utc("2025-02-28T23:45"), previous("45 23 * * *", "2025-03-01T23:44"));
        assertEquals(utc("2024-02-29T23:00"), previous("0 23 * * *", "2024-03-01T22:59"));
        assertEquals(utc("2025-04-30T00:00"), previous("0 0 28-31 * *", "2025-05-27T00:00"));
    }

    @Test
    void givenTheLastMinuteOfTheYear_thenNextRollsIntoTheNewYear() {
        assertEquals(utc("2026-01-01T00:00"), next("* * * * *", "2025-12-31T23:59"));
        assertEquals(utc("2026-01-01T00:00"), next("0 0 1 1 *", "2025-01-01T00:00"));
        assertEquals(utc("2026-01-05T00:00"), next("0 0 * JAN MON", "2025-01-27T00:00"), "the first Monday of 2026");
    }

    @Test
    void givenTheStartOfTheYear_thenPreviousRollsBackIntoTheYearBefore() {
        assertEquals(utc("2024-12-31T23:59"), previous("59 23 * * *", "2025-01-01T23:58"));
        assertEquals(utc("2024-12-31T23:59"), previous("59 23 31 12 *", "2025-12-31T23:58"));
        assertEquals(utc("2024-11-30T00:00"), previous("0 0 30 NOV *", "2025-11-29T00:00"));
    }

    @Test
    void givenOnlySomeMonths_thenOtherMonthsAreSkippedBothWays() {
        assertEquals(List.of("2025-12-01T08:00", "2026-03-01T08:00", "2026-06-01T08:00"),
                firesAfter("0 8 1 3,6,12 *", "2025-06-01T08:00", 3));
        assertEquals(List.of("2025-06-01T08:00", "2025-03-01T08:00", "2024-12-01T08:00"),
                firesAtOrBefore("0 8 1 3,6,12 *", "2025-11-30T00:00", 3));
    }

    @Test
    void givenSeveralHoursAndMinutes_thenEveryCombinationInOrder() {
        assertEquals(List.of("2025-06-15T08:15", "2025-06-15T08:45", "2025-06-15T17:15", "2025-06-15T17:45",
                        "2025-06-16T08:15"),
                firesAfter("15,45 8,17 * * *", "2025-06-15T00:00", 5));
    }

    // --- the day-of-month / day-of-week OR rule

    @Test
    void givenBothDayFieldsRestricted_thenItFiresOnEitherKindOfDay() {
        // The 13th, and every Friday. June 2025: Fridays 6, 13, 20, 27.
        assertEquals(List.of("2025-06-06T00:00", "2025-06-13T00:00", "2025-06-20T00:00", "2025-06-27T00:00",
                        "2025-07-04T00:00", "2025-07-11T00:00", "2025-07-13T00:00", "2025-07-18T00:00"),
                firesAfter("0 0 13 * FRI", "2025-06-01T00:00", 8));
        assertEquals(List.of("2025-07-13T00:00", "2025-07-11T00:00", "2025-07-04T00:00"),
                firesAtOrBefore("0 0 13 * FRI", "2025-07-17T00:00", 3));
    }

    @Test
    void givenTheFirstAndMondaysRestricted_thenTheFirstFiresEvenWhenNotAMonday() {
        // 2025-10-01 is a Wednesday; Mondays in October 2025: 6, 13.
        assertEquals(List.of("2025-10-01T00:00", "2025-10-06T00:00", "2025-10-13T00:00"),
                firesAfter("0 0 1 * 1", "2025-09-30T00:00", 3));
    }

    @Test
    void givenDayOfWeekIsStar_thenOnlyDayOfMonthCounts() {
        assertEquals(List.of("2025-07-13T00:00", "2025-08-13T00:00"), firesAfter("0 0 13 * *", "2025-06-13T00:00", 2));
    }

    @Test
    void givenDayOfMonthIsStar_thenOnlyDayOfWeekCounts() {
        assertEquals(List.of("2025-06-20T00:00", "2025-06-27T00:00"), firesAfter("0 0 * * FRI", "2025-06-13T00:00", 2));
    }

    @Test
    void givenADayFieldWithAStepOverStar_thenBothDayFieldsMustMatchAsInVixieCron() {
        // Odd days that are Fridays. June 2025 Fridays: 6, 13, 20, 27; July: 4, 11, 18, 25.
        assertEquals(List.of("2025-06-13T00:00", "2025-06-27T00:00", "2025-07-11T00:00", "2025-07-25T00:00"),
                firesAfter("0 0 */2 * FRI", "2025-06-01T00:00", 4));
    }
}
