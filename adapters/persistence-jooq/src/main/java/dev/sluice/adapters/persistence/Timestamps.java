package dev.sluice.adapters.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants in the domain, {@code timestamptz} (as UTC offsets) in the database. */
final class Timestamps {
    private Timestamps() {
    }

    static OffsetDateTime toColumn(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant toInstant(OffsetDateTime column) {
        return column == null ? null : column.toInstant();
    }
}
