package dev.sluice.domain.quota;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks next and previous against a brute-force reading of the rules: an instant fires when it is a
 * whole minute, its local time matches the fields, and it is the first instant with that local time.
 */
class CronSchedulePropertyTest {
    private static final List<String> EXPRESSIONS = List.of(
            "* * * * *", "*/7 * * * *", "0 */6 * * *", "0 0 * * *", "30 2 * * *", "15 1,2 * * *",
            "0 */1 * * *", "30 9 * * MON-FRI", "0 0 * * 1", "0 0 1 * *", "0 0 31 * *", "0 0 13 * FRI",
            "45 23 28-31 * *", "*/20 1-3 * 3,10,11 0", "0 0 29 2 *");
    private static final List<ZoneId> ZONES = List.of(
            ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"),
            ZoneId.of("Australia/Lord_Howe"), ZoneId.of("America/Santiago"));
    private static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2030-01-01T00:00:00Z");
    /** Brute-force scans are limited to periods this short so the test stays fast. */
    private static final Duration MAX_SCAN = Duration.ofDays(2);

    private final Random random = new Random(20250615);

    /** The brute-force rule, independent of the search in {@link CronSchedule}. */
    private static boolean firesAt(CronSchedule schedule, ZoneId zone, Instant instant) {
        LocalDateTime local = instant.atZone(zone).toLocalDateTime();
        return schedule.matches(local) && ZonedDateTime.ofLocal(local, zone, null).toInstant().equals(instant);
    }

    private static List<Instant> bruteForceFires(CronSchedule schedule, ZoneId zone, Instant from, Instant to) {
        List<Instant> fires = new ArrayList<>();
        for (Instant t = from.truncatedTo(ChronoUnit.MINUTES); t.isBefore(to); t = t.plus(1, ChronoUnit.MINUTES)) {
            if (!t.isBefore(from) && firesAt(schedule, zone, t)) {
                fires.add(t);
            }
        }
        return fires;
    }

    private Instant randomInstant() {
        long span = TO.getEpochSecond() - FROM.getEpochSecond();
        return FROM.plusSeconds((long) (random.nextDouble() * span)).plusNanos(random.nextInt(1_000_000_000));
    }

    /** Instants within a day of the zone's clock changes, where next and previous are most likely to slip. */
    private List<Instant> instantsNearTransitions(ZoneId zone, int perTransition) {
        List<Instant> instants = new ArrayList<>();
        ZoneOffsetTransition transition = zone.getRules().nextTransition(FROM);
        while (transition != null && transition.getInstant().isBefore(TO)) {
            for (int i = 0; i < perTransition; i++) {
                long seconds = random.nextLong(-86_400, 86_400);
                // Half land on whole minutes, where off-by-one mistakes show.
                instants.add(transition.getInstant().plusSeconds(random.nextBoolean() ? seconds : seconds / 60 * 60));
            }
            transition = zone.getRules().nextTransition(transition.getInstant());
        }
        return instants;
    }

    @Test
    void givenRandomInstants_thenPreviousIsAtOrBeforeAndNextIsAfterAndNothingFiresBetween() {
        int scanned = 0;
        for (String expression : EXPRESSIONS) {
            CronSchedule schedule = CronSchedule.parse(expression);
            for (ZoneId zone : ZONES) {
                List<Instant> instants = new ArrayList<>(instantsNearTransitions(zone, 1));
                for (int i = 0; i < 15; i++) {
                    instants.add(randomInstant());
                }
                for (Instant t : instants) {
                    scanned += checkAround(schedule, zone, t) ? 1 : 0;
                }
            }
        }
        assertTrue(scanned > 500, "brute-force scans done: " + scanned);
    }

    /** @return whether the period was short enough to scan minute by minute */
    private static boolean checkAround(CronSchedule schedule, ZoneId zone, Instant t) {
        String where = schedule + " in " + zone + " at " + t;
        ZonedDateTime zoned = t.atZone(zone);
        ZonedDateTime previous = schedule.previous(zoned);
        ZonedDateTime next = schedule.next(zoned);

        assertEquals(zone, previous.getZone(), where);
        assertEquals(zone, next.getZone(), where);
        assertFalse(previous.toInstant().isAfter(t), where + ": previous " + previous);
        assertTrue(next.toInstant().isAfter(t), where + ": next " + next);
        assertTrue(firesAt(schedule, zone, previous.toInstant()), where + ": previous " + previous + " is no fire time");
        assertTrue(firesAt(schedule, zone, next.toInstant()), where + ": next " + next + " is no fire time");
        assertEquals(next, schedule.previous(next), where + ": previous(next) is next itself");
        assertEquals(next, schedule.next(previous), where + ": next(previous) is next");
        assertEquals(previous, schedule.previous(next.minusNanos(1)), where + ": previous just before next");

        if (Duration.between(previous.toInstant(), next.toInstant()).compareTo(MAX_SCAN) > 0) {
            return false;
        }
        assertEquals(List.of(previous.toInstant(), next.toInstant()),
                bruteForceFires(schedule, zone, previous.toInstant(), next.toInstant().plusSeconds(1)),
                where + ": nothing fires between previous " + previous + " and next " + next);
        return true;
    }

    @Test
    void givenWindowsAroundEveryClockChange_thenIteratingNextAndPreviousGivesExactlyTheBruteForceFires() {
        List<String> expressions = List.of("*/10 * * * *", "0 */1 * * *", "30 2 * * *", "30 1 * * *", "0 0 * * *",
                "0,30 0-3 * * *");
        for (ZoneId zone : List.of(ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
                ZoneId.of("America/Santiago"), ZoneId.of("Australia/Lord_Howe"))) {
            ZoneOffsetTransition transition = zone.getRules().nextTransition(Instant.parse("2024-01-01T00:00:00Z"));
            for (int i = 0; i < 4; i++) {
                Instant from = transition.getInstant().minus(Duration.ofHours(30));
                Instant to = transition.getInstant().plus(Duration.ofHours(30));
                for (String expression : expressions) {
                    CronSchedule schedule = CronSchedule.parse(expression);
                    List<Instant> expected = bruteForceFires(schedule, zone, from, to);
                    String where = expression + " in " + zone + " around " + transition;

                    assertEquals(expected, iterateNext(schedule, zone, from, to), where + " (next)");
                    assertEquals(expected.reversed(), iteratePrevious(schedule, zone, to, from), where + " (previous)");
                }
                transition = zone.getRules().nextTransition(transition.getInstant());
            }
        }
    }

    /** Fire times in {@code [from, to)} by calling next. */
    private static List<Instant> iterateNext(CronSchedule schedule, ZoneId zone, Instant from, Instant to) {
        List<Instant> fires = new ArrayList<>();
        ZonedDateTime t = schedule.next(from.minusNanos(1).atZone(zone));
        while (t.toInstant().isBefore(to)) {
            fires.add(t.toInstant());
            t = schedule.next(t);
        }
        return fires;
    }

    /** Fire times in {@code [from, to)}, latest first, by calling previous. */
    private static List<Instant> iteratePrevious(CronSchedule schedule, ZoneId zone, Instant to, Instant from) {
        List<Instant> fires = new ArrayList<>();
        ZonedDateTime t = schedule.previous(to.minusNanos(1).atZone(zone));
        while (!t.toInstant().isBefore(from)) {
            fires.add(t.toInstant());
            t = schedule.previous(t.minusNanos(1));
        }
        return fires;
    }

    @Test
    void givenRareSchedules_thenNextAndPreviousAnswerQuickly() {
        CronSchedule leapDayOnAWeekend = CronSchedule.parse("0 0 29 2 */6");
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            ZonedDateTime t = randomInstant().atZone(ZoneId.of("Europe/Berlin"));
            assertTrue(leapDayOnAWeekend.next(t).isAfter(t));
            assertFalse(leapDayOnAWeekend.previous(t).isAfter(t));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "200 searches took " + took);
    }
}
