package dev.sluice.adapters.persistence;

import dev.sluice.domain.app.ApiKey;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/** Maps {@code api_key} rows to the domain. */
final class AppRows {
    private AppRows() {
    }

    static ApiKey toApiKey(UUID id, UUID appId, String prefix, String keyHash, OffsetDateTime createdAt,
                           OffsetDateTime revokedAt) {
        return new ApiKey(id, appId, prefix, keyHash, Timestamps.toInstant(createdAt),
                Optional.ofNullable(Timestamps.toInstant(revokedAt)));
    }
}
