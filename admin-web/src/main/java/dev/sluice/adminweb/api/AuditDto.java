package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /audit}: one admin change; before and after are the target's JSON as the API showed it. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditDto(@Nullable String at, @Nullable String actor, @Nullable String address, @Nullable String action,
                       @Nullable String targetType, @Nullable String targetId, @Nullable String targetName,
                       @Nullable Object before, @Nullable Object after) {

    /** {@code {"data":[...]}}, newest first. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<AuditDto> data) {
        /** Never null. */
        public List<AuditDto> entries() {
            return data == null ? List.of() : data;
        }
    }
}
