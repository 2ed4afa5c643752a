package dev.sluice.domain.limits;

import java.util.Locale;
import java.util.Optional;

/**
 * An app's class in the queue. Waiting requests of higher classes are served first, but by
 * weighted turns (6 : 3 : 1), so a lower class always gets a share and never starves.
 */
public enum PriorityClass {
    HIGH(6), NORMAL(3), LOW(1);

    private final int share;

    PriorityClass(int share) {
        this.share = share;
    }

    public int share() {
        return share;
    }

    public static Optional<PriorityClass> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(value.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
