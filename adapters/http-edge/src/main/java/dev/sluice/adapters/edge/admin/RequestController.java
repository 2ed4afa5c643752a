package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import dev.sluice.application.port.RequestLogReader;
import dev.sluice.application.port.UsageReader;
import dev.sluice.domain.usage.RequestRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.QueryValue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** {@code /admin/api/v1/requests/{id}}: one request from the request log, with every attempt. */
@Controller(value = "/admin/api/v1/requests", produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class RequestController {
    private final RequestLogReader requests;
    private final UsageReader usage;
    private final Clock clock;

    RequestController(RequestLogReader requests, UsageReader usage, Clock clock) {
        this.requests = requests;
        this.usage = usage;
        this.clock = clock;
    }

    /**
     * A page of the request log, newest first: {@code ?app=&backend=&model=&status=&from=&to=&limit=&before=}
     * ({@code before} is the {@code next} cursor of the previous page).
     */
    @Get
    AdminViews.RequestPage list(@Nullable @QueryValue String app, @Nullable @QueryValue String backend,
                                @Nullable @QueryValue String model,
                                @Nullable @QueryValue Integer status, @Nullable @QueryValue String from,
                                @Nullable @QueryValue String to, @Nullable @QueryValue Integer limit,
                                @Nullable @QueryValue String before) {
        List<FieldError> errors = new ArrayList<>();
        LogWindow window = LogWindow.of(from, to, limit, Duration.ofDays(30), clock.instant(), errors);
        Optional<Instant> beforeTime = Optional.empty();
        Optional<String> beforeId = Optional.empty();
        if (before != null) {
            int bar = before.indexOf('|');
            try {
                beforeTime = Optional.of(Instant.parse(before.substring(0, bar)));
                beforeId = Optional.of(before.substring(bar + 1));
            } catch (RuntimeException e) {
                errors.add(new FieldError("before", "must be the next cursor of a previous page"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        List<RequestRecord> page = usage.requests(new UsageReader.RequestFilter(Optional.ofNullable(app),
                Optional.ofNullable(backend), Optional.ofNullable(model), Optional.ofNullable(status), window.from(), window.to(), window.limit(), beforeTime, beforeId));
        String next = page.size() < window.limit() ? null
                : page.getLast().startedAt() + "|" + page.getLast().requestId();
        return new AdminViews.RequestPage(page.stream().map(AdminViews.RequestView::of).toList(), next);
    }

    @Get("/{id}")
    HttpResponse<?> get(String id) {
        return requests.find(id)
                .<HttpResponse<?>>map(r -> HttpResponse.ok(AdminViews.RequestView.of(r)))
                .orElseGet(() -> HttpResponse.notFound(AdminViews.ErrorResponse.of(404, "request_not_found",
                        "No request " + id + " in the request log (it is written within a second of finishing).", "id")));
    }
}
