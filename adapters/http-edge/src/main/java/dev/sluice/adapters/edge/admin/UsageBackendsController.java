package dev.sluice.adapters.edge.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.UsageReader;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.quota.QuotaCounter;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /admin/api/v1/usage/backends}: per backend, what it served today (UTC) and in its current
 * quota period, its limits with their live use, and its health.
 */
@Controller(value = "/admin/api/v1/usage/backends", produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class UsageBackendsController {
    private final LiveConfiguration configuration;
    private final Routing routing;
    private final BackendHealth health;
    private final UsageReader usage;
    private final Clock clock;

    UsageBackendsController(LiveConfiguration configuration, Routing routing, BackendHealth health, UsageReader usage,
                            Clock clock) {
        this.configuration = configuration;
        this.routing = routing;
        this.health = health;
        this.usage = usage;
        this.clock = clock;
    }

    @Serdeable
    record LimitUse(int inFlight, long requestsLastMinute, long tokensLastMinute, long requestsLastDay) {
    }

    @Serdeable
    record QuotaUse(Long requestsPerPeriod, Long tokensPerPeriod, long requestsUsed, long tokensUsed, Instant periodStart,
                    Instant resetsAt) {
    }

    @Serdeable
    record BackendUsage(UUID id, String name, boolean enabled, long requestsToday, long errorsToday, long tokensToday,
                        AdminViews.LimitsView limits, LimitUse limitUse, QuotaUse quota, AdminViews.HealthView health) {
    }

    @Serdeable
    record BackendUsageList(Instant from, Instant to, List<BackendUsage> data) {
    }

    @Get
    BackendUsageList get() {
        Instant now = clock.instant();
        Instant startOfDay = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = now.plusSeconds(60);
        Map<String, UsageReader.UsageRow> today = new HashMap<>();
        for (UsageReader.UsageRow row : usage.usage(new UsageReader.UsageQuery(startOfDay, end,
                Set.of(UsageReader.GroupBy.BACKEND), UsageReader.Bucket.DAY))) {
            today.merge(row.backend(), row, (a, b) -> new UsageReader.UsageRow(a.bucket(), a.backend(), null, null,
                    a.requests() + b.requests(), a.errors() + b.errors(), a.promptTokens() + b.promptTokens(),
                    a.completionTokens() + b.completionTokens(), a.totalTokens() + b.totalTokens()));
        }
        List<BackendUsage> out = configuration.current().backends().stream().map(b -> view(b, today.get(b.name()), now)).toList();
        return new BackendUsageList(startOfDay, now, out);
    }

    private BackendUsage view(Backend b, UsageReader.UsageRow today, Instant now) {
        Limiter.Usage use = routing.limits().usage("backend:" + b.id(), b.options().limits(), now.toEpochMilli());
        QuotaUse quota = null;
        if (b.options().quota().isPresent()) {
            Quota q = b.options().quota().get();
            QuotaCounter.Snapshot s = routing.quotas().snapshot("backend:" + b.id(), q);
            quota = new QuotaUse(q.requestsPerPeriod().isPresent() ? q.requestsPerPeriod().getAsLong() : null,
                    q.tokensPerPeriod().isPresent() ? q.tokensPerPeriod().getAsLong() : null, s.requests(), s.tokens(),
                    s.period().start(), s.period().end());
        }
        return new BackendUsage(b.id(), b.name(), b.enabled(), today == null ? 0 : today.requests(),
                today == null ? 0 : today.errors(), today == null ? 0 : today.totalTokens(),
                AdminViews.LimitsView.of(b.options().limits()),
                new LimitUse(use.inFlight(), use.requestsLastMinute(), use.tokensLastMinute(), use.requestsLastDay()),
                quota, AdminViews.HealthView.of(health.health(b.id())));
    }
}
