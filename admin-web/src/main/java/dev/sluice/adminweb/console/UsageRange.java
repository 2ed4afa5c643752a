package dev.sluice.adminweb.console;

import io.micronaut.core.annotation.Nullable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * The range picker's choice: today, this week, this month or a custom from/to (dates, UTC days),
 * and the bucket size. Invalid input falls back to a sane default and says so, so a bookmarked
 * URL with a typo still shows a page.
 *
 * @param range   today, week, month or custom
 * @param from    custom start date (inclusive), or empty
 * @param to      custom end date (inclusive), or empty
 * @param bucket  minute, hour or day
 * @param problem what was wrong with the request's parameters, or null
 */
public record UsageRange(String range, String from, String to, String bucket, @Nullable String problem) {

    private static final Set<String> RANGES = Set.of("today", "week", "month", "custom");
    private static final Set<String> BUCKETS = Set.of("minute", "hour", "day");

    /** Reads the picker's query parameters. */
    public static UsageRange of(@Nullable String range, @Nullable String from, @Nullable String to,
                                @Nullable String bucket) {
        String r = range == null || range.isBlank() ? "today" : range.strip().toLowerCase(Locale.ROOT);
        String problem = null;
        if (!RANGES.contains(r)) {
            problem = "Unknown range '" + r + "'; showing today.";
            r = "today";
        }
        String f = from == null ? "" : from.strip();
        String t = to == null ? "" : to.strip();
        if (r.equals("custom")) {
            if (!isDate(f) || (!t.isEmpty() && !isDate(t))) {
                problem = "A custom range needs a start date (and optionally an end date) as YYYY-MM-DD; showing today.";
                r = "today";
            } else if (!t.isEmpty() && LocalDate.parse(t).isBefore(LocalDate.parse(f))) {
                problem = "The end date is before the start date; showing today.";
                r = "today";
            }
        }
        String b = bucket == null || bucket.isBlank() ? defaultBucket(r) : bucket.strip().toLowerCase(Locale.ROOT);
        if (!BUCKETS.contains(b)) {
            problem = "Unknown bucket '" + b + "'; using " + defaultBucket(r) + ".";
            b = defaultBucket(r);
        }
        if (b.equals("minute") && !r.equals("today")) {
            b = "hour";
            problem = "Minute buckets are for today's range only; using hours.";
        }
        return new UsageRange(r, f, t, b, problem);
    }

    private static String defaultBucket(String range) {
        return range.equals("month") || range.equals("custom") ? "day" : "hour";
    }

    /** The admin API's range parameters: {@code range=week} or {@code from=…&to=…}, and the bucket. */
    public String apiQuery() {
        return apiQuery(bucket);
    }

    /**
     * The same range in {@code bucket}-sized buckets: totals and rankings need no fine buckets, and
     * day buckets over a week are 7 rows per group where minutes would be ten thousand.
     */
    public String apiQuery(String bucket) {
        StringBuilder q = new StringBuilder();
        if (range.equals("custom")) {
            q.append("from=").append(enc(from));
            if (!to.isEmpty()) {
                q.append("&to=").append(enc(LocalDate.parse(to).plusDays(1).toString()));
            }
        } else {
            q.append("range=").append(range);
        }
        return q.append("&bucket=").append(bucket).toString();
    }

    /** The console's own query string for this choice (links that keep the range). */
    public String pageQuery() {
        StringBuilder q = new StringBuilder("range=").append(range);
        if (range.equals("custom")) {
            q.append("&from=").append(enc(from)).append("&to=").append(enc(to));
        }
        return q.append("&bucket=").append(bucket).toString();
    }

    /** A short description of the range for headings. */
    public String label() {
        return switch (range) {
            case "week" -> "This week";
            case "month" -> "This month";
            case "custom" -> from + " – " + (to.isEmpty() ? "now" : to);
            default -> "Today";
        };
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static boolean isDate(String s) {
        try {
            LocalDate.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
