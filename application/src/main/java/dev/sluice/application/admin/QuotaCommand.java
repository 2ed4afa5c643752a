package dev.sluice.application.admin;

import dev.sluice.domain.quota.CronSchedule;
import dev.sluice.domain.quota.Quota;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A quota as an operator sends it: requests and/or tokens per period, a 5-field cron and a time zone (default UTC). */
public record QuotaCommand(Long requestsPerPeriod, Long tokensPerPeriod, String periodCron, String timeZone) {

    /** The quota, or empty with the reasons added to {@code errors} under {@code prefix} (e.g. "quota"). */
    Optional<Quota> toQuota(String prefix, List<FieldError> errors) {
        int before = errors.size();
        if (requestsPerPeriod == null && tokensPerPeriod == null) {
            errors.add(new FieldError(prefix, "needs requestsPerPeriod or tokensPerPeriod"));
        }
        if (requestsPerPeriod != null && requestsPerPeriod < 1) {
            errors.add(new FieldError(prefix + ".requestsPerPeriod", "must be at least 1"));
        }
        if (tokensPerPeriod != null && tokensPerPeriod < 1) {
            errors.add(new FieldError(prefix + ".tokensPerPeriod", "must be at least 1"));
        }
        CronSchedule schedule = null;
        if (periodCron == null || periodCron.isBlank()) {
            errors.add(new FieldError(prefix + ".periodCron", "is required, e.g. \"0 0 * * *\" for daily at midnight"));
        } else {
            try {
                schedule = CronSchedule.parse(periodCron);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(prefix + ".periodCron", "is not a valid 5-field cron expression: " + e.getMessage()));
            }
        }
        ZoneId zone = ZoneId.of("UTC");
        if (timeZone != null) {
            try {
                zone = ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                errors.add(new FieldError(prefix + ".timeZone", "is not a known time zone (e.g. UTC, Europe/Berlin)"));
            }
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Quota(requestsPerPeriod == null ? OptionalLong.empty() : OptionalLong.of(requestsPerPeriod),
                tokensPerPeriod == null ? OptionalLong.empty() : OptionalLong.of(tokensPerPeriod), schedule, zone));
    }
}
