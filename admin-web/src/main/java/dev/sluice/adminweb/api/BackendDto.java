package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;

/**
 * One backend as the admin API shows it. {@code apiKey} is already masked by the API
 * (for example {@code sk-...abcd}) or null when none is set.
 */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackendDto(
        @Nullable String id,
        @Nullable String name,
        @Nullable String baseUrl,
        @Nullable String apiKey,
        @Nullable Integer priority,
        @Nullable Integer weight,
        @Nullable Long timeoutMs,
        @Nullable Boolean enabled,
        @Nullable Map<String, String> headers,
        @Nullable List<ModelDto> models,
        @Nullable Integer retry,
        @Nullable Boolean streamSupport,
        @Nullable Boolean nonStreamSupport,
        @Nullable Integer maxContextTokens,
        @Nullable HealthCheckDto healthCheck,
        @Nullable LimitsDto limits,
        @Nullable Integer maxOutputTokens,
        @Nullable QuotaDto quota,
        @Nullable HealthDto health) {

    /** {@code GET /backends}: {@code {"data":[...]}}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<BackendDto> data) {
        /** Never null. */
        public List<BackendDto> backends() {
            return data == null ? List.of() : data;
        }
    }

    /** The active health check: {@code GET {baseUrl}{path}} every {@code intervalMs}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HealthCheckDto(@Nullable Boolean enabled, @Nullable String path, @Nullable Long intervalMs,
                                 @Nullable Long timeoutMs) {
    }

    /** Circuit state (CLOSED, OPEN, HALF_OPEN) and why. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HealthDto(@Nullable String state, @Nullable Boolean available, @Nullable String lastError,
                            @Nullable String lastChange, @Nullable Integer consecutiveFailures,
                            @Nullable String coolingDownUntil) {
    }
}
