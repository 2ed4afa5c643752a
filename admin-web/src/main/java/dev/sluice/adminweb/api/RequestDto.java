package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** One request from the request log, with every attempt. Times are microseconds. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record RequestDto(@Nullable String requestId, @Nullable String startedAt, @Nullable String endpoint,
                         @Nullable String appId, @Nullable String appName, @Nullable String model,
                         @Nullable String backendId, @Nullable String backend, int status, @Nullable String errorType,
                         long latencyUs, @Nullable Long ttftUs, @Nullable Tokens usage, boolean usageEstimated,
                         boolean stream, boolean clientAborted, @Nullable List<Attempt> attempts,
                         @Nullable String keyId, @Nullable Long queueWaitUs) {

    /** Tokens as the backend reported them (or as estimated). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tokens(int promptTokens, int completionTokens, int totalTokens) {
    }

    /** One try at one backend: an HTTP status or an error kind. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attempt(int number, @Nullable String backendId, @Nullable String backend, @Nullable Integer status,
                          @Nullable String error, long latencyUs) {
    }

    /** {@code GET /requests}: a page, newest first, and the cursor of the next one. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<RequestDto> data, @Nullable String next) {
        /** Never null. */
        public List<RequestDto> requests() {
            return data == null ? List.of() : data;
        }
    }

    /** Never null. */
    public List<Attempt> tries() {
        return attempts == null ? List.of() : attempts;
    }
}
