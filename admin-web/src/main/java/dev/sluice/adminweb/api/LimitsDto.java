package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** A backend's rate limits; null means no limit. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record LimitsDto(@Nullable Integer rpm, @Nullable Long tpm, @Nullable Integer rpd, @Nullable Long tpr,
                        @Nullable Integer maxConcurrent) {
}
