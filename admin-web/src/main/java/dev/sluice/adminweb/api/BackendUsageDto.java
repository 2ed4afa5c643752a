package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /usage/backends}: per backend, today's use, its limits with live use, quota use and health. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackendUsageDto(@Nullable String id, @Nullable String name, boolean enabled, long requestsToday,
                              long errorsToday, long tokensToday, @Nullable LimitsDto limits,
                              @Nullable LimitUse limitUse, @Nullable QuotaUse quota,
                              @Nullable BackendDto.HealthDto health) {

    /** Live use of the limits: in flight now, over the last minute and day. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LimitUse(int inFlight, long requestsLastMinute, long tokensLastMinute, long requestsLastDay) {
    }

    /** Use of the quota in its current period. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QuotaUse(@Nullable Long requestsPerPeriod, @Nullable Long tokensPerPeriod, long requestsUsed,
                           long tokensUsed, @Nullable String periodStart, @Nullable String resetsAt) {
    }

    /** {@code {"from","to","data":[...]}}. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page(@Nullable String from, @Nullable String to, @Nullable List<BackendUsageDto> data) {
        /** Never null. */
        public List<BackendUsageDto> backends() {
            return data == null ? List.of() : data;
        }
    }
}
