package dev.sluice.domain.quota;

import java.util.List;
import java.util.Locale;

/**
 * One of the five fields of a cron expression, and how to read it into a bit set (bit {@code v}
 * set when value {@code v} is allowed). Values fit in a {@code long} as no field goes past 59.
 */
enum CronField {
    MINUTE("minute", 0, 59, List.of()),
    HOUR("hour", 0, 23, List.of()),
    DAY_OF_MONTH("day-of-month", 1, 31, List.of()),
    MONTH("month", 1, 12,
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    /** 0-7 with 0 and 7 both Sunday; {@code *} means 0-6. */
    DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

    private final String label;
    private final int min;
    private final int max;
    /** Names in value order, the first naming {@link #min}. */
    private final List<String> names;

    CronField(String label, int min, int max, List<String> names) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    String label() {
        return label;
    }

    /** The values {@code *} stands for; day-of-week leaves out 7, the second Sunday. */
    private int starMax() {
        return this == DAY_OF_WEEK ? 6 : max;
    }

    /** Grammar: list := element (',' element)*; element := ('*' | value | value '-' value) ('/' step)?. */
    long parse(String text) {
        long bits = 0;
        for (String element : text.split(",", -1)) {
            if (element.isEmpty()) {
                throw error("empty list element in '" + text + "'");
            }
            bits |= parseElement(element);
        }
        if (this == DAY_OF_WEEK && (bits & (1L << 7)) != 0) {
            bits = (bits & ~(1L << 7)) | 1L;
        }
        return bits;
    }

    private long parseElement(String element) {
        int slash = element.indexOf('/');
        String range = slash < 0 ? element : element.substring(0, slash);
        int step = slash < 0 ? 1 : parseStep(element.substring(slash + 1));
        int from;
        int to;
        if (range.equals("*")) {
            from = min;
            to = starMax();
        } else {
            int dash = range.indexOf('-');
            if (dash < 0) {
                if (slash >= 0) {
                    // Vixie cron rejects "5/15" too; some crons read it as "5-max/15", others as "5", so say which is meant.
                    throw error("'" + element + "' has a step without a range; write *" + element.substring(slash)
                            + " or " + range + "-" + max + element.substring(slash));
                }
                from = parseValue(range, element);
                to = from;
            } else {
                from = parseValue(range.substring(0, dash), element);
                to = parseValue(range.substring(dash + 1), element);
                if (from > to) {
                    throw error("range " + range + " goes backwards (" + from + " > " + to + ")");
                }
            }
        }
        long bits = 0;
        for (int v = from; v <= to; v += step) {
            bits |= 1L << v;
        }
        return bits;
    }

    /** A step must leave room for a second value: "*&#47;60" on minutes would only ever mean 0. */
    private int parseStep(String text) {
        int maxStep = max - min - (this == DAY_OF_WEEK ? 1 : 0);
        if (text.isEmpty()) {
            throw error("missing step after '/'");
        }
        if (!isDigits(text)) {
            throw error("step '" + text + "' is not a number");
        }
        int step = parseNumber(text);
        if (step < 1 || step > maxStep) {
            throw error("step " + text + " is out of range 1-" + maxStep);
        }
        return step;
    }

    private int parseValue(String text, String element) {
        if (text.isEmpty()) {
            throw error("missing value in '" + element + "'");
        }
        if (isDigits(text)) {
            int value = parseNumber(text);
            if (value < min || value > max) {
                throw error(text + " is out of range " + min + "-" + max);
            }
            return value;
        }
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return min + index;
        }
        if (names.isEmpty()) {
            throw error("'" + text + "' is not a number");
        }
        throw error("'" + text + "' is not a number or a name (" + names.getFirst() + "-" + names.getLast() + ")");
    }

    private static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Digits only; a number too long for an int is as out of range as any other. */
    private static int parseNumber(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException tooLong) {
            return Integer.MAX_VALUE;
        }
    }

    IllegalArgumentException error(String why) {
        return new IllegalArgumentException(label + ": " + why);
    }
}
