package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.BackendService;
import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.HealthHistory;
import dev.sluice.domain.backend.Backend;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code /admin/api/v1/backends/{id}/health}: a backend's health now, and its history. */
@Controller(value = "/admin/api/v1/backends/{id}/health", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class BackendHealthController {
    private final BackendService backends;
    private final BackendHealth health;
    private final HealthHistory history;
    private final Clock clock;

    BackendHealthController(BackendService backends, BackendHealth health, HealthHistory history, Clock clock) {
        this.backends = backends;
        this.health = health;
        this.history = history;
        this.clock = clock;
    }

    /** Circuit state, whether it takes requests now, the last error and when it changed. */
    @Get
    HttpResponse<?> now(String id) {
        return backend(id)
                .<HttpResponse<?>>map(b -> HttpResponse.ok(AdminViews.HealthView.of(health.health(b.id()))))
                .orElseGet(() -> BackendController.notFound(id));
    }

    /**
     * Every change of the backend's health in {@code [from, to)} (default: the last 7 days), newest
     * first, at most {@code limit} (default 100, at most 1000): the circuit opening with the error
     * that opened it and when it may be probed, half-open, closed, cooldowns after a 429.
     */
    @Get("/history")
    HttpResponse<?> history(String id, @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                            @Nullable @QueryValue Integer limit) {
        List<FieldError> errors = new ArrayList<>();
        LogWindow window = LogWindow.of(from, to, limit, Duration.ofDays(7), clock.instant(), errors);
        if (window.from() != null && window.to() != null && !window.from().isBefore(window.to())) {
            errors.add(new FieldError("to", "must be after from"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        return backend(id)
                .<HttpResponse<?>>map(b -> HttpResponse.ok(new AdminViews.HealthEventList(
                        history.find(b.id(), window.from(), window.to(), window.limit()).stream().map(AdminViews.HealthEventView::of).toList())))
                .orElseGet(() -> BackendController.notFound(id));
    }

    private Optional<Backend> backend(String id) {
        return AdminIds.parse(id).flatMap(backends::get);
    }
}
