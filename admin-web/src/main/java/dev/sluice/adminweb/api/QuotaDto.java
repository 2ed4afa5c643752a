package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** A quota: requests and/or tokens per period, reset on a cron schedule in a time zone. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record QuotaDto(@Nullable Long requestsPerPeriod, @Nullable Long tokensPerPeriod, @Nullable String periodCron,
                       @Nullable String timeZone) {
}
