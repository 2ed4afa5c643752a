package dev.sluice.domain.backend;

import java.util.Objects;

/** A credential whose value never appears in {@code toString()}, logs or responses. */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The plain value, for the one place that must send it (the upstream request). */
    public String reveal() {
        return value;
    }

    /** A form safe to show an operator: the first three and last four characters of a long key, nothing of a short one. */
    public String masked() {
        if (value.length() < 16) {
            return "****";
        }
        return value.substring(0, 3) + "..." + value.substring(value.length() - 4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
