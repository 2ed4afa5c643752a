package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /quotas}: one quota with its use in the current period. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record QuotaUseDto(@Nullable String scope, @Nullable String type, @Nullable String id, @Nullable String name,
                          @Nullable Long requestsPerPeriod, @Nullable Long tokensPerPeriod, long requestsUsed,
                          long tokensUsed, @Nullable String periodStart, @Nullable String resetsAt,
                          @Nullable String periodCron, @Nullable String timeZone) {

    /** {@code {"data":[...]}}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable List<QuotaUseDto> data) {
        /** Never null. */
        public List<QuotaUseDto> quotas() {
            return data == null ? List.of() : data;
        }
    }
}
