package dev.sluice.domain.app;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** A gateway API key as stored: its hash and visible prefix, never the key itself. */
public record ApiKey(UUID id, UUID appId, String prefix, String hash, Instant createdAt, Optional<Instant> revokedAt) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hash, "hash");
        revokedAt = revokedAt == null ? Optional.empty() : revokedAt;
    }

    public boolean revoked() {
        return revokedAt.isPresent();
    }
}
