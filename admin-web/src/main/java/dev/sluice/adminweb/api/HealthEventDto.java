package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /backends/{id}/health/history}: one change of a backend's health (OPENED, HALF_OPEN, CLOSED, COOLING_DOWN). */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record HealthEventDto(@Nullable String kind, @Nullable String at, @Nullable String reason, @Nullable String until) {

    /** {@code {"data":[...]}}, newest first. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<HealthEventDto> data) {
        /** Never null. */
        public List<HealthEventDto> events() {
            return data == null ? List.of() : data;
        }
    }
}
