package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** A client app and its limits. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record AppDto(@Nullable String id, @Nullable String name, @Nullable Limits limits) {

    /** {@code GET /apps}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<AppDto> data) {
        /** Never null. */
        public List<AppDto> apps() {
            return data == null ? List.of() : data;
        }
    }

    /** Rate limits, queue settings, output cap and quota of an app; null means none. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Limits(@Nullable Integer rpm, @Nullable Long tpm, @Nullable Integer maxConcurrent,
                         @Nullable Double maxWaitSeconds, @Nullable String priority, @Nullable Integer maxOutputTokens,
                         @Nullable QuotaDto quota) {
    }

    /** A gateway key: only its prefix is ever shown after issuing. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Key(@Nullable String id, @Nullable String prefix, @Nullable String createdAt,
                      @Nullable String revokedAt, @Nullable Boolean revoked) {
    }

    /** {@code GET /apps/{id}/keys}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Keys(@Nullable List<Key> data) {
        /** Never null. */
        public List<Key> keys() {
            return data == null ? List.of() : data;
        }
    }

    /** {@code POST /apps/{id}/keys}: the only answer that carries the whole key. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IssuedKey(@Nullable String id, @Nullable String key, @Nullable String prefix) {
    }
}
