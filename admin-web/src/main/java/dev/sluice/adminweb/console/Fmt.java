package dev.sluice.adminweb.console;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Number and time formatting for the templates, as {@code ${fmt.…}}: compact counts (1.2 k,
 * 3.4 M), durations from microseconds, percentages, and instants as UTC text that the page's
 * script turns into the browser's time zone (keeping UTC on hover).
 */
public final class Fmt {

    public static final Fmt INSTANCE = new Fmt();
    private static final String NONE = "—";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Fmt() {
    }

    /** 950, 1.2 k, 3.4 M, 5.6 G; a dash for null. */
    public String num(@Nullable Number n) {
        if (n == null) {
            return NONE;
        }
        double v = n.doubleValue();
        double a = Math.abs(v);
        if (a < 1000) {
            return v == Math.rint(v) ? Long.toString(n.longValue()) : String.format(Locale.ROOT, "%.1f", v);
        }
        String[] units = {"k", "M", "G", "T"};
        int i = -1;
        while (a >= 1000 && i < units.length - 1) {
            a /= 1000;
            v /= 1000;
            i++;
        }
        String digits = a >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
        return digits + " " + units[i];
    }

    /** The exact count with thousands separators (1,234,567), for titles and tables that need it. */
    public String exact(@Nullable Number n) {
        return n == null ? NONE : String.format(Locale.ROOT, "%,d", n.longValue());
    }

    /** A duration given in microseconds: 850 µs, 12.3 ms, 4.5 s. */
    public String micros(@Nullable Number us) {
        if (us == null) {
            return NONE;
        }
        double v = us.doubleValue();
        if (v < 1000) {
            return String.format(Locale.ROOT, "%.0f µs", v);
        }
        if (v < 1_000_000) {
            return String.format(Locale.ROOT, v < 100_000 ? "%.1f ms" : "%.0f ms", v / 1000);
        }
        return String.format(Locale.ROOT, "%.1f s", v / 1_000_000);
    }

    /** A duration given in milliseconds. */
    public String millis(@Nullable Number ms) {
        return ms == null ? NONE : micros(ms.doubleValue() * 1000);
    }

    /** {@code part / whole} as a percentage with one decimal; a dash when whole is 0. */
    public String pct(@Nullable Number part, @Nullable Number whole) {
        if (part == null || whole == null || whole.doubleValue() == 0) {
            return NONE;
        }
        return String.format(Locale.ROOT, "%.1f %%", 100 * part.doubleValue() / whole.doubleValue());
    }

    /** {@code used / limit} as 0–100 for a {@code <meter>} or {@code <progress>}; 0 without a limit. */
    public long share(@Nullable Number used, @Nullable Number limit) {
        if (used == null || limit == null || limit.doubleValue() <= 0) {
            return 0;
        }
        return Math.min(100, Math.round(100 * used.doubleValue() / limit.doubleValue()));
    }

    /** An ISO-8601 instant as UTC text ({@code 2026-12-04 08:46:42 UTC}); the page script localises it. */
    public String utc(@Nullable Object instant) {
        Instant t = instant(instant);
        return t == null ? NONE : UTC.format(t);
    }

    /**
     * An instant in a named time zone ({@code 2026-12-05 00:00 Europe/Berlin}): a quota resets in its
     * own zone, whatever the browser's. An unknown zone falls back to UTC text.
     */
    public String inZone(@Nullable Object instant, @Nullable String zone) {
        Instant t = instant(instant);
        if (t == null) {
            return NONE;
        }
        try {
            java.time.ZoneId id = java.time.ZoneId.of(zone == null ? "UTC" : zone);
            return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(t.atZone(id)) + " " + id.getId();
        } catch (java.time.DateTimeException e) {
            return utc(t);
        }
    }

    /** The instant normalised to ISO-8601 for a {@code <time datetime>} attribute; empty when absent. */
    public String iso(@Nullable Object instant) {
        Instant t = instant(instant);
        return t == null ? "" : t.toString();
    }

    /** A dash for null or blank text. */
    public String text(@Nullable Object value) {
        return value == null || value.toString().isBlank() ? NONE : value.toString();
    }

    private static @Nullable Instant instant(@Nullable Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.toString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
