package dev.sluice.domain.quota;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A standard five-field cron schedule ({@code minute hour day-of-month month day-of-week}), read in
 * the local time of whatever zone it is asked about. It fires at whole minutes.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li><b>Day rule (Vixie cron).</b> When both day fields are restricted, a day matches if either
 *       matches; otherwise both must. As in Vixie cron, a day field counts as unrestricted when it
 *       starts with {@code *}, so {@code *&#47;2} in day-of-month is still "unrestricted".</li>
 *   <li><b>Schedules that never fire</b> (such as {@code 0 0 31 2 *}) are rejected by {@link #parse}
 *       with an {@link IllegalArgumentException}. The check is exact: the Gregorian calendar repeats
 *       every 400 years, and every existing month-day falls on every weekday within that cycle.</li>
 *   <li><b>Search horizon.</b> {@link #next} and {@link #previous} skip by month, then day, then hour,
 *       then minute, and give up after 400 years, which covers any schedule that fires at all (Feb 29
 *       on a given weekday can be decades apart). They throw {@link IllegalStateException} only if
 *       every match in that horizon fell into a daylight-saving gap, which no real zone does.</li>
 *   <li><b>Daylight saving.</b> A local time skipped by a gap does not fire; the next match after it
 *       does (so {@code 30 2 * * *} skips the spring-forward day, and {@code 0 0 * * *} skips a day in
 *       zones that change clocks at midnight). A local time repeated by an overlap fires once, at its
 *       first occurrence.</li>
 * </ul>
 */
public final class CronSchedule {
    /** Long enough for every schedule that fires at all; see the class comment. */
    private static final int HORIZON_YEARS = 400;

    private final String expression;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    /** 0 = Sunday. */
    private final long daysOfWeek;
    /** True when both day fields are restricted, so either may match (Vixie cron). */
    private final boolean eitherDay;

    private CronSchedule(String expression, long minutes, long hours, long daysOfMonth, long months,
                         long daysOfWeek, boolean eitherDay) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.eitherDay = eitherDay;
    }

    /**
     * Parses "minute hour day-of-month month day-of-week": each field a comma list of {@code *},
     * values and ranges {@code a-b}, each optionally with a step {@code /n}; month names JAN-DEC and day
     * names SUN-SAT in any case; day-of-week 0-7 with 0 and 7 both Sunday.
     *
     * @throws IllegalArgumentException naming the bad field and why, as in "hour: 24 is out of range
     *                                  0-23", or when the schedule could never fire
     */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String trimmed = expression.strip();
        String[] fields = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected 5 fields (minute hour day-of-month month day-of-week) but got "
                    + fields.length + " in '" + expression + "'");
        }
        long minutes = CronField.MINUTE.parse(fields[0]);
        long hours = CronField.HOUR.parse(fields[1]);
        long daysOfMonth = CronField.DAY_OF_MONTH.parse(fields[2]);
        long months = CronField.MONTH.parse(fields[3]);
        long daysOfWeek = CronField.DAY_OF_WEEK.parse(fields[4]);
        boolean eitherDay = !fields[2].startsWith("*") && !fields[4].startsWith("*");
        if (!eitherDay && !anyMonthHasADay(months, daysOfMonth)) {
            throw CronField.DAY_OF_MONTH.error(fields[2] + " never occurs in month " + fields[3]
                    + ", so the schedule never fires");
        }
        return new CronSchedule(String.join(" ", fields), minutes, hours, daysOfMonth, months, daysOfWeek, eitherDay);
    }

    private static boolean anyMonthHasADay(long months, long daysOfMonth) {
        for (int m = 1; m <= 12; m++) {
            if (has(months, m)) {
                int longest = m == 2 ? 29 : YearMonth.of(2001, m).lengthOfMonth();
                if ((daysOfMonth & ((1L << (longest + 1)) - 1)) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The expression, its fields separated by single spaces. */
    public String expression() {
        return expression;
    }

    /**
     * The first fire time strictly after {@code after}, in after's zone.
     *
     * @throws IllegalStateException if nothing fires within 400 years (see the class comment)
     */
    public ZonedDateTime next(ZonedDateTime after) {
        ZoneId zone = after.getZone();
        ZoneRules rules = zone.getRules();
        LocalDateTime from = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZoneOffsetTransition overlap = rules.getTransition(after.toLocalDateTime());
        if (overlap != null && overlap.isOverlap() && after.getOffset().equals(overlap.getOffsetAfter())) {
            // after is the second pass through the overlap: every local time in it fired on the first pass.
            from = max(from, ceilToMinute(overlap.getDateTimeBefore()));
        }
        LocalDateTime limit = from.plusYears(HORIZON_YEARS);
        while (true) {
            LocalDateTime local = nextLocal(from, limit);
            if (local == null) {
                throw new IllegalStateException("'" + expression + "' does not fire within " + HORIZON_YEARS
                        + " years after " + after);
            }
            ZoneOffsetTransition transition = rules.getTransition(local);
            if (transition != null && transition.isGap()) {
                from = ceilToMinute(transition.getDateTimeAfter());
                continue;
            }
            ZonedDateTime fire = ZonedDateTime.ofLocal(local, zone, null); // the earlier offset in an overlap
            if (fire.isAfter(after)) {
                return fire;
            }
            from = local.plusMinutes(1);
        }
    }

    /**
     * The last fire time at or before {@code atOrBefore}, in its zone.
     *
     * @throws IllegalStateException if nothing fired within 400 years (see the class comment)
     */
    public ZonedDateTime previous(ZonedDateTime atOrBefore) {
        ZoneId zone = atOrBefore.getZone();
        ZoneRules rules = zone.getRules();
        LocalDateTime from = atOrBefore.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
        ZoneOffsetTransition overlap = rules.getTransition(atOrBefore.toLocalDateTime());
        if (overlap != null && overlap.isOverlap() && atOrBefore.getOffset().equals(overlap.getOffsetAfter())) {
            // The second pass through the overlap: all of its local times, even later ones, fired on the first pass.
            from = floorToMinuteBefore(overlap.getDateTimeBefore());
        }
        LocalDateTime limit = from.minusYears(HORIZON_YEARS);
        while (true) {
            LocalDateTime local = previousLocal(from, limit);
            if (local == null) {
                throw new IllegalStateException("'" + expression + "' did not fire within " + HORIZON_YEARS
                        + " years before " + atOrBefore);
            }
            ZoneOffsetTransition transition = rules.getTransition(local);
            if (transition != null && transition.isGap()) {
                from = floorToMinuteBefore(transition.getDateTimeBefore());
                continue;
            }
            ZonedDateTime fire = ZonedDateTime.ofLocal(local, zone, null);
            if (!fire.isAfter(atOrBefore)) {
                return fire;
            }
            from = local.minusMinutes(1);
        }
    }

    /** Whether the fields allow this local time, whole minutes only; says nothing about time zones. */
    boolean matches(LocalDateTime t) {
        return t.getSecond() == 0 && t.getNano() == 0
                && has(minutes, t.getMinute()) && has(hours, t.getHour())
                && has(months, t.getMonthValue()) && dayMatches(t.toLocalDate());
    }

    /** The values a field allows, day-of-week with Sunday as 0. */
    SortedSet<Integer> values(CronField field) {
        long bits = switch (field) {
            case MINUTE -> minutes;
            case HOUR -> hours;
            case DAY_OF_MONTH -> daysOfMonth;
            case MONTH -> months;
            case DAY_OF_WEEK -> daysOfWeek;
        };
        SortedSet<Integer> values = new TreeSet<>();
        for (int v = 0; v < 64; v++) {
            if (has(bits, v)) {
                values.add(v);
            }
        }
        return values;
    }

    /** Whether either day field alone is enough for a day to match. */
    boolean eitherDayMatches() {
        return eitherDay;
    }

    /** The first matching local time at or after {@code t} (a whole minute), or null past {@code limit}. */
    private LocalDateTime nextLocal(LocalDateTime t, LocalDateTime limit) {
        while (!t.isAfter(limit)) {
            int month = t.getMonthValue();
            if (!has(months, month)) {
                int m = nextBit(months, month);
                t = m < 0
                        ? LocalDate.of(t.getYear() + 1, nextBit(months, 1), 1).atStartOfDay()
                        : LocalDate.of(t.getYear(), m, 1).atStartOfDay();
                continue;
            }
            LocalDate date = t.toLocalDate();
            if (!dayMatches(date)) {
                t = date.plusDays(1).atStartOfDay();
                continue;
            }
            int h = nextBit(hours, t.getHour());
            if (h < 0) {
                t = date.plusDays(1).atStartOfDay();
                continue;
            }
            if (h != t.getHour()) {
                t = date.atTime(h, 0);
            }
            int m = nextBit(minutes, t.getMinute());
            if (m < 0) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            return t.withMinute(m);
        }
        return null;
    }

    /** The last matching local time at or before {@code t} (a whole minute), or null before {@code limit}. */
    private LocalDateTime previousLocal(LocalDateTime t, LocalDateTime limit) {
        while (!t.isBefore(limit)) {
            int month = t.getMonthValue();
            if (!has(months, month)) {
                int m = previousBit(months, month);
                YearMonth ym = m < 0
                        ? YearMonth.of(t.getYear() - 1, previousBit(months, 12))
                        : YearMonth.of(t.getYear(), m);
                t = ym.atEndOfMonth().atTime(23, 59);
                continue;
            }
            LocalDate date = t.toLocalDate();
            if (!dayMatches(date)) {
                t = date.minusDays(1).atTime(23, 59);
                continue;
            }
            int h = previousBit(hours, t.getHour());
            if (h < 0) {
                t = date.minusDays(1).atTime(23, 59);
                continue;
            }
            if (h != t.getHour()) {
                t = date.atTime(h, 59);
            }
            int m = previousBit(minutes, t.getMinute());
            if (m < 0) {
                t = t.truncatedTo(ChronoUnit.HOURS).minusMinutes(1);
                continue;
            }
            return t.withMinute(m);
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = has(daysOfMonth, date.getDayOfMonth());
        boolean dow = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        return eitherDay ? dom || dow : dom && dow;
    }

    private static boolean has(long bits, int value) {
        return (bits >>> value & 1) != 0;
    }

    /** The lowest set bit at or above {@code from}, or -1. */
    private static int nextBit(long bits, int from) {
        long rest = bits & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }

    /** The highest set bit at or below {@code from}, or -1. */
    private static int previousBit(long bits, int from) {
        long rest = bits & (-1L >>> (63 - from));
        return rest == 0 ? -1 : 63 - Long.numberOfLeadingZeros(rest);
    }

    /** The first whole minute at or after {@code t}; transitions of old zones can fall between minutes. */
    private static LocalDateTime ceilToMinute(LocalDateTime t) {
        LocalDateTime floor = t.truncatedTo(ChronoUnit.MINUTES);
        return floor.equals(t) ? t : floor.plusMinutes(1);
    }

    /** The last whole minute strictly before {@code t}. */
    private static LocalDateTime floorToMinuteBefore(LocalDateTime t) {
        return t.minusNanos(1).truncatedTo(ChronoUnit.MINUTES);
    }

    private static LocalDateTime max(LocalDateTime a, LocalDateTime b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule other && expression.equals(other.expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return expression;
    }
}
