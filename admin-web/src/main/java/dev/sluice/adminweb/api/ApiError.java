package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** The admin API's error envelope: {@code {"error":{"message","type","code","param"}}}. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiError(@Nullable Detail error) {

    /** The error itself. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(@Nullable String message, @Nullable String type, @Nullable String code,
                         @Nullable String param) {
    }
}
