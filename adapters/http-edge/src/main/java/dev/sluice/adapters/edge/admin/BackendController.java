package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.BackendService;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.domain.backend.Backend;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Optional;
import java.util.UUID;

/** {@code /admin/api/v1/backends}: the backends, their models and settings. */
@Controller(value = "/admin/api/v1/backends", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class BackendController {
    private final BackendService backends;
    private final BackendHealth health;
    private final AdminJson json;

    private final AdminAudit audit;

    BackendController(BackendService backends, BackendHealth health, AdminJson json, AdminAudit audit) {
        this.audit = audit;
        this.backends = backends;
        this.health = health;
        this.json = json;
    }

    @Get
    AdminViews.BackendList list() {
        return new AdminViews.BackendList(backends.list().stream().map(this::view).toList());
    }

    @Get("/{id}")
    HttpResponse<?> get(String id) {
        return AdminIds.parse(id)
                .flatMap(backends::get)
                .<HttpResponse<?>>map(b -> HttpResponse.ok(view(b)))
                .orElseGet(() -> notFound(id));
    }

    @Post
    HttpResponse<AdminViews.BackendView> create(HttpRequest<?> request, @Body String body) {
        Backend created = backends.create(BackendJson.read(json.parse(body)));
        audit.record(request, "backend.create", "backend", created.id().toString(), created.name(), null,
                AdminViews.BackendView.settings(created));
        return HttpResponse.created(view(created));
    }

    @Put("/{id}")
    HttpResponse<?> update(HttpRequest<?> request, String id, @Body String body) {
        var command = BackendJson.read(json.parse(body));
        Optional<Backend> before = AdminIds.parse(id).flatMap(backends::get);
        return AdminIds.parse(id)
                .flatMap(uuid -> backends.update(uuid, command))
                .<HttpResponse<?>>map(b -> {
                    audit.record(request, "backend.update", "backend", b.id().toString(), b.name(),
                            before.map(AdminViews.BackendView::settings).orElse(null), AdminViews.BackendView.settings(b));
                    return HttpResponse.ok(view(b));
                })
                .orElseGet(() -> notFound(id));
    }

    private AdminViews.BackendView view(Backend b) {
        return AdminViews.BackendView.of(b, health.health(b.id()));
    }

    @Delete("/{id}")
    HttpResponse<?> delete(HttpRequest<?> request, String id) {
        Optional<Backend> before = AdminIds.parse(id).flatMap(backends::get);
        boolean deleted = AdminIds.parse(id).map(backends::delete).orElse(false);
        if (deleted) {
            audit.record(request, "backend.delete", "backend", id, before.map(Backend::name).orElse(null),
                    before.map(AdminViews.BackendView::settings).orElse(null), null);
        }
        return deleted ? HttpResponse.noContent() : notFound(id);
    }

    static HttpResponse<?> notFound(String id) {
        return HttpResponse.notFound(AdminViews.ErrorResponse.of(404, "backend_not_found", "No backend with id " + id, "id"));
    }
}
