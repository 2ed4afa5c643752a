package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.BackendDto;
import dev.sluice.adminweb.api.BackendUsageDto;
import dev.sluice.adminweb.api.HealthEventDto;
import dev.sluice.adminweb.api.RequestDto;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The backends pages: the list with live health and limit use, the create and edit form, enable,
 * disable and delete, and one backend's detail. Every call goes to the admin API; the controller
 * runs on the blocking executor (virtual threads), never on the event loop.
 */
@Controller(ConsolePaths.BACKENDS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BackendsController {

    private final AdminApi api;
    private final ConsolePages pages;

    public BackendsController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    /** Pairs a backend with its live use for the list. */
    public record Line(BackendDto backend, @Nullable BackendUsageDto use) {
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request, @Nullable @QueryValue String done) {
        List<BackendDto> backends = api.get("/backends", BackendDto.Page.class).backends();
        Map<String, BackendUsageDto> use = api.get("/usage/backends", BackendUsageDto.Page.class).backends().stream()
                .filter(u -> u.id() != null)
                .collect(Collectors.toMap(BackendUsageDto::id, Function.identity(), (a, b) -> a));
        Map<String, Object> model = pages.model(request, "backends");
        model.put("lines", backends.stream().map(b -> new Line(b, use.get(b.id()))).toList());
        model.put("enabledCount", backends.stream().filter(b -> Boolean.TRUE.equals(b.enabled())).count());
        model.put("done", done);
        return HttpResponse.ok(ConsolePages.view("backends", model));
    }

    @Get(value = "/new", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> newForm(HttpRequest<?> request) {
        return form(request, null, BackendForm.defaults(), Map.of(), null, HttpStatus.OK);
    }

    @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> create(HttpRequest<?> request, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        return save(request, null, form);
    }

    @Get(value = "/{id}", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> detail(HttpRequest<?> request, String id, @Nullable @QueryValue String saved) {
        BackendDto b = api.get("/backends/" + AdminPaths.segment(id), BackendDto.class);
        BackendUsageDto use = api.get("/usage/backends", BackendUsageDto.Page.class).backends().stream()
                .filter(u -> Objects.equals(u.id(), b.id())).findFirst().orElse(null);
        List<RequestDto> failures = api.get("/requests?limit=20&backend=" + UsageRange.enc(b.name() == null ? "" : b.name()),
                RequestDto.Page.class).requests().stream()
                .filter(r -> r.tries().stream().anyMatch(a -> Objects.equals(a.backendId(), b.id())
                        && (a.status() == null || a.status() >= 400)))
                .toList();
        List<HealthEventDto> history = api.get("/backends/" + AdminPaths.segment(id) + "/health/history?limit=50",
                HealthEventDto.Page.class).events();
        Map<String, Object> model = pages.model(request, "backends");
        model.put("b", b);
        model.put("use", use);
        model.put("history", history);
        model.put("failures", failures);
        model.put("saved", saved != null);
        model.put("dataQuery", "range=week&bucket=hour&backend=" + UsageRange.enc(b.name() == null ? "" : b.name()));
        return HttpResponse.ok(ConsolePages.view("backend", model));
    }

    @Get(value = "/{id}/edit", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> editForm(HttpRequest<?> request, String id) {
        BackendDto b = api.get("/backends/" + AdminPaths.segment(id), BackendDto.class);
        return form(request, b, BackendForm.of(b), Map.of(), null, HttpStatus.OK);
    }

    @Post(value = "/{id}", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> update(HttpRequest<?> request, String id, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        return save(request, api.get("/backends/" + AdminPaths.segment(id), BackendDto.class), form);
    }

    @Post(value = "/{id}/enabled", consumes = MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> enable(HttpRequest<?> request, String id, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        BackendDto b = api.get("/backends/" + AdminPaths.segment(id), BackendDto.class);
        Map<String, String> values = BackendForm.of(b);
        values.put("enabled", String.valueOf("true".equals(form.get("enabled"))));
        api.put("/backends/" + AdminPaths.segment(id), BackendForm.parse(values).body(), BackendDto.class);
        return HttpResponse.seeOther(URI.create(ConsolePaths.BACKENDS + "?done="
                + ("true".equals(form.get("enabled")) ? "enabled" : "disabled")));
    }

    @Post(value = "/{id}/delete", consumes = MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> delete(HttpRequest<?> request, String id, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        api.delete("/backends/" + AdminPaths.segment(id));
        return HttpResponse.seeOther(URI.create(ConsolePaths.BACKENDS + "?done=deleted"));
    }

    private HttpResponse<?> save(HttpRequest<?> request, @Nullable BackendDto stored, Map<String, String> form) {
        BackendForm.Parsed parsed = BackendForm.parse(form);
        if (!parsed.errors().isEmpty()) {
            return form(request, stored, BackendForm.resubmitted(form), parsed.errors(), null, HttpStatus.BAD_REQUEST);
        }
        try {
            BackendDto saved = stored == null
                    ? api.post("/backends", parsed.body(), BackendDto.class)
                    : api.put("/backends/" + AdminPaths.segment(stored.id()), parsed.body(), BackendDto.class);
            return HttpResponse.seeOther(URI.create(ConsolePaths.BACKENDS + "/" + saved.id() + "?saved=1"));
        } catch (AdminApiException e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            Map<String, String> errors = new LinkedHashMap<>();
            e.fieldMessages().forEach((field, message) -> errors.merge(BackendForm.input(field),
                    field.equals(BackendForm.input(field)) ? message : field + ": " + message, (a, b) -> a + "; " + b));
            String banner = errors.isEmpty() ? e.getMessage() : null;
            return form(request, stored, BackendForm.resubmitted(form), errors, banner, HttpStatus.BAD_REQUEST);
        }
    }

    private HttpResponse<?> form(HttpRequest<?> request, @Nullable BackendDto stored, Map<String, String> values,
                                 Map<String, String> errors, @Nullable String banner, HttpStatus status) {
        Map<String, Object> model = pages.model(request, "backends");
        model.put("stored", stored);
        model.put("values", values);
        model.put("errors", errors);
        model.put("banner", banner);
        model.put("action", stored == null ? ConsolePaths.BACKENDS : ConsolePaths.BACKENDS + "/" + stored.id());
        return HttpResponse.status(status).body(ConsolePages.view("backend-form", model));
    }
}
