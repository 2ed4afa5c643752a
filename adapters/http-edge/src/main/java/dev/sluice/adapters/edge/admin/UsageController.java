package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import dev.sluice.application.port.UsageReader;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /admin/api/v1/usage?from=&to=&range=today|week|month&groupBy=backend,app,model&bucket=minute|hour|day
 * &backend=&app=&model=}: requests, errors and tokens over time from the per-minute aggregates (buckets in UTC),
 * of one backend, app or model where named; {@code /usage/latency} with the same parameters: latency and TTFT
 * percentiles per bucket from the request log.
 */
@Controller(value = "/admin/api/v1/usage", produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class UsageController {
    private static final Duration MAX_MINUTE_RANGE = Duration.ofDays(7);

    private final UsageReader usage;
    private final Clock clock;

    UsageController(UsageReader usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    @Get
    AdminViews.UsageSeries get(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
                               @Nullable @QueryValue String range, @Nullable @QueryValue String groupBy,
                               @Nullable @QueryValue String bucket, @Nullable @QueryValue String backend,
                               @Nullable @QueryValue String app, @Nullable @QueryValue String model,
                               @Nullable @QueryValue String sort, @Nullable @QueryValue String dir,
                               @Nullable @QueryValue Integer limit) {
        List<FieldError> errors = new ArrayList<>();
        UsageSort order = UsageSort.of(sort, dir, limit, errors);
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        UsageReader.UsageQuery query = query(clock, from, to, range, groupBy, bucket).within(scope(backend, app, model));
        Instant start = query.from();
        Instant end = query.to();
        UsageReader.Bucket size = query.bucket();
        Set<UsageReader.GroupBy> groups = query.groupBy();
        String bucketName = size.name().toLowerCase(Locale.ROOT);
        List<String> groupNames = groups.stream().map(g -> g.name().toLowerCase(Locale.ROOT)).toList();
        if (!order.whole()) {
            UsageReader.UsageTop top = usage.top(query, order.orderOrDefault(), order.limitOrMax());
            return new AdminViews.UsageSeries(start, end, bucketName, groupNames,
                    top.rows().stream().map(UsageController::point).toList(),
                    new AdminViews.UsageTotals(top.requests(), top.errors(), top.promptTokens(), top.completionTokens(),
                            top.totalTokens()), Math.toIntExact(top.rowCount()));
        }
        List<UsageReader.UsageRow> rows = usage.usage(query);
        long requests = 0;
        long failed = 0;
        long prompt = 0;
        long completion = 0;
        long total = 0;
        List<AdminViews.UsagePoint> series = new ArrayList<>(rows.size());
        for (UsageReader.UsageRow r : rows) {
            series.add(point(r));
            requests += r.requests();
            failed += r.errors();
            prompt += r.promptTokens();
            completion += r.completionTokens();
            total += r.totalTokens();
        }
        return new AdminViews.UsageSeries(start, end, bucketName, groupNames, series,
                new AdminViews.UsageTotals(requests, failed, prompt, completion, total), series.size());
    }

    private static AdminViews.UsagePoint point(UsageReader.UsageRow r) {
        return new AdminViews.UsagePoint(r.bucket(), r.backend(), r.app(), r.model(), r.requests(), r.errors(),
                r.promptTokens(), r.completionTokens(), r.totalTokens());
    }

    @Get("/latency")
    AdminViews.LatencySeries latency(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                     @Nullable @QueryValue String range, @Nullable @QueryValue String bucket,
                                     @Nullable @QueryValue String backend, @Nullable @QueryValue String app,
                                     @Nullable @QueryValue String model) {
        UsageReader.UsageQuery query = query(clock, from, to, range, null, bucket).within(scope(backend, app, model));
        UsageReader.Latency latency = usage.latency(query);
        return new AdminViews.LatencySeries(query.from(), query.to(), query.bucket().name().toLowerCase(Locale.ROOT),
                latency.sampled(), latency.series().stream().map(AdminViews.LatencyPoint::of).toList(),
                AdminViews.LatencyPoint.of(latency.total()));
    }

    /** Rows of the named backend, app and model only; a blank name is no filter. */
    static UsageReader.Scope scope(@Nullable String backend, @Nullable String app, @Nullable String model) {
        return new UsageReader.Scope(named(backend), named(app), named(model));
    }

    private static Optional<String> named(@Nullable String name) {
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.strip());
    }

    /**
     * The query of {@code /usage} and {@code /usage/export.csv} from their parameters.
     *
     * @throws InvalidFieldsException naming each invalid parameter
     */
    static UsageReader.UsageQuery query(Clock clock, @Nullable String from, @Nullable String to, @Nullable String range,
                                        @Nullable String groupBy, @Nullable String bucket) {
        List<FieldError> errors = new ArrayList<>();
        Instant now = clock.instant();
        Instant start = null;
        Instant end = null;
        if (range != null) {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            switch (range.toLowerCase(Locale.ROOT)) {
                case "today" -> start = today.atStartOfDay(ZoneOffset.UTC).toInstant();
                case "week" -> start = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC).toInstant();
                case "month" -> start = today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                default -> errors.add(new FieldError("range", "must be today, week or month"));
            }
            end = now.plusSeconds(60);
        }
        if (from != null) {
            start = parse("from", from, errors);
        }
        if (to != null) {
            end = parse("to", to, errors);
        }
        if (start == null && range == null && from == null) {
            start = now.minus(Duration.ofDays(1));
        }
        if (end == null) {
            end = now.plusSeconds(60);
        }
        UsageReader.Bucket size = UsageReader.Bucket.HOUR;
        if (bucket != null) {
            try {
                size = UsageReader.Bucket.valueOf(bucket.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("bucket", "must be minute, hour or day"));
            }
        }
        Set<UsageReader.GroupBy> groups = EnumSet.noneOf(UsageReader.GroupBy.class);
        if (groupBy != null && !groupBy.isBlank()) {
            for (String g : groupBy.split(",")) {
                try {
                    groups.add(UsageReader.GroupBy.valueOf(g.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldError("groupBy", "'" + g.strip() + "' is not one of backend, app, model"));
                }
            }
        }
        if (start != null && end != null && !start.isBefore(end)) {
            errors.add(new FieldError("from", "must be before to"));
        }
        if (errors.isEmpty() && size == UsageReader.Bucket.MINUTE && Duration.between(start, end).compareTo(MAX_MINUTE_RANGE) > 0) {
            errors.add(new FieldError("bucket", "minute buckets are limited to 7 days; use hour or day"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        return new UsageReader.UsageQuery(start, end, groups, size);
    }

    static Instant parse(String field, String value, List<FieldError> errors) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                errors.add(new FieldError(field, "must be an ISO-8601 instant (2026-11-21T00:00:00Z) or date (2026-11-21)"));
                return null;
            }
        }
    }
}
