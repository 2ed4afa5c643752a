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
        @Nullable List<ModelDto> models) {
}
