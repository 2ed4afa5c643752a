package dev.sluice.domain.quota;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A quota: at most {@code requestsPerPeriod} requests and {@code tokensPerPeriod} tokens per
 * period, the period ending at each fire time of a cron schedule in a time zone.
 */
public record Quota(OptionalLong requestsPerPeriod, OptionalLong tokensPerPeriod, CronSchedule period, ZoneId zone) {
    public Quota {
        requestsPerPeriod = requestsPerPeriod == null ? OptionalLong.empty() : requestsPerPeriod;
        tokensPerPeriod = tokensPerPeriod == null ? OptionalLong.empty() : tokensPerPeriod;
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(zone, "zone");
    }

    public QuotaPeriod periodAt(Instant now) {
        return QuotaPeriod.containing(period, zone, now);
    }
}
