package dev.sluice.adapters.persistence;

import dev.sluice.domain.quota.CronSchedule;
import dev.sluice.domain.quota.Quota;

import java.time.ZoneId;
import java.util.Optional;
import java.util.OptionalLong;

/** Maps quota columns (requests, tokens, cron, zone) to the domain; no cron means no quota. */
final class QuotaRows {
    private QuotaRows() {
    }

    static Optional<Quota> toQuota(Long requests, Long tokens, String cron, String zone) {
        if (cron == null || (requests == null && tokens == null)) {
            return Optional.empty();
        }
        return Optional.of(new Quota(requests == null ? OptionalLong.empty() : OptionalLong.of(requests),
                tokens == null ? OptionalLong.empty() : OptionalLong.of(tokens), CronSchedule.parse(cron),
                ZoneId.of(zone == null ? "UTC" : zone)));
    }

    static Long requests(Optional<Quota> quota) {
        return quota.flatMap(q -> q.requestsPerPeriod().isPresent() ? Optional.of(q.requestsPerPeriod().getAsLong()) : Optional.empty()).orElse(null);
    }

    static Long tokens(Optional<Quota> quota) {
        return quota.flatMap(q -> q.tokensPerPeriod().isPresent() ? Optional.of(q.tokensPerPeriod().getAsLong()) : Optional.empty()).orElse(null);
    }

    static String cron(Optional<Quota> quota) {
        return quota.map(q -> q.period().expression()).orElse(null);
    }

    static String zone(Optional<Quota> quota) {
        return quota.map(q -> q.zone().getId()).orElse("UTC");
    }
}
