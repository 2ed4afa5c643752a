package dev.sluice.adapters.edge.admin;

import java.util.Optional;
import java.util.UUID;

final class AdminIds {
    private AdminIds() {
    }

    /** A path id as a UUID; a malformed id is simply not found. */
    static Optional<UUID> parse(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
