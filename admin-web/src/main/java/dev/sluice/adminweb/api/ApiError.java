package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * The admin API's error envelope: {@code {"error":{"message","type","code","param"},"errors":[{"field","message"}]}}.
 */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiError(@Nullable Detail error, @Nullable List<FieldProblem> errors) {

    /** The error itself. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(@Nullable String message, @Nullable String type, @Nullable String code,
                         @Nullable String param) {
    }

    /** One invalid field of a validation error. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FieldProblem(@Nullable String field, @Nullable String message) {
    }

    /** Never null. */
    public List<FieldProblem> fieldErrors() {
        return errors == null ? List.of() : errors;
    }
}
