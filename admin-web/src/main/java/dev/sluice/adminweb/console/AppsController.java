package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.AppDto;
import dev.sluice.adminweb.api.UsageDto;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The apps pages: the list with this month's use and the create form; one app with its keys
 * (issue — shown once —, revoke), its limits form and its usage by backend and by model.
 */
@Controller(ConsolePaths.APPS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class AppsController {

    private final AdminApi api;
    private final ConsolePages pages;

    public AppsController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    /** An app with its use this month. */
    public record Line(AppDto app, UsageDto.Totals month) {
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request) {
        return list(request, Map.of(), Map.of(), HttpStatus.OK);
    }

    @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> create(HttpRequest<?> request, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        String name = FormValues.text(form.get("name"));
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        try {
            AppDto app = api.post("/apps", body, AppDto.class);
            return HttpResponse.seeOther(URI.create(ConsolePaths.APPS + "/" + app.id() + "?done=created"));
        } catch (AdminApiException e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            Map<String, String> errors = new LinkedHashMap<>(e.fieldMessages());
            if (errors.isEmpty()) {
                errors.put("name", e.getMessage());
            }
            Map<String, String> values = new HashMap<>();
            values.put("name", name == null ? "" : name);
            return list(request, values, errors, HttpStatus.BAD_REQUEST);
        }
    }

    @Get(value = "/{id}", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> detail(HttpRequest<?> request, String id, @Nullable @QueryValue String done) {
        AppDto app = app(id);
        Map<String, Object> model = detailModel(request, app, AppLimitsForm.of(app), Map.of());
        model.put("done", done);
        return HttpResponse.ok(ConsolePages.view("app", model));
    }

    @Post(value = "/{id}/keys", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> issueKey(HttpRequest<?> request, String id, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        AppDto app = app(id);
        AppDto.IssuedKey issued = api.post("/apps/" + AdminPaths.segment(id) + "/keys", Map.of(), AppDto.IssuedKey.class);
        Map<String, Object> model = detailModel(request, app, AppLimitsForm.of(app), Map.of());
        model.put("issued", issued);
        return HttpResponse.ok(ConsolePages.view("app", model));
    }

    @Post(value = "/{id}/keys/{keyId}/revoke", consumes = MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revokeKey(HttpRequest<?> request, String id, String keyId, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        api.delete("/apps/" + AdminPaths.segment(id) + "/keys/" + AdminPaths.segment(keyId));
        return HttpResponse.seeOther(URI.create(ConsolePaths.APPS + "/" + AdminPaths.segment(id) + "?done=revoked"));
    }

    @Post(value = "/{id}/limits", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> limits(HttpRequest<?> request, String id, @Body Map<String, String> form) {
        pages.requireCsrf(request, form);
        AppDto app = app(id);
        BackendForm.Parsed parsed = AppLimitsForm.parse(form);
        Map<String, String> errors = new LinkedHashMap<>(parsed.errors());
        if (errors.isEmpty()) {
            try {
                api.put("/apps/" + AdminPaths.segment(id) + "/limits", parsed.body(), AppDto.class);
                return HttpResponse.seeOther(URI.create(ConsolePaths.APPS + "/" + AdminPaths.segment(id) + "?done=saved"));
            } catch (AdminApiException e) {
                if (e.status() != 400) {
                    throw e;
                }
                e.fieldMessages().forEach((field, message) -> errors.merge(AppLimitsForm.input(field), message,
                        (a, b) -> a + "; " + b));
                if (errors.isEmpty()) {
                    errors.put("rpm", e.getMessage());
                }
            }
        }
        Map<String, String> values = new LinkedHashMap<>(form);
        values.remove(ConsolePages.CSRF_FIELD);
        Map<String, Object> model = detailModel(request, app, values, errors);
        return HttpResponse.status(HttpStatus.BAD_REQUEST).body(ConsolePages.view("app", model));
    }

    private AppDto app(String id) {
        return api.get("/apps/" + AdminPaths.segment(id), AppDto.class);
    }

    private HttpResponse<?> list(HttpRequest<?> request, Map<String, String> values, Map<String, String> errors,
                                 HttpStatus status) {
        List<AppDto> apps = api.get("/apps", AppDto.Page.class).apps();
        Map<String, UsageDto.Totals> month = UsageRanking.totalsBy(
                api.get("/usage?range=month&bucket=day&groupBy=app", UsageDto.class), UsageDto.Point::app);
        Map<String, Object> model = pages.model(request, "apps");
        model.put("lines", apps.stream().map(a -> new Line(a, month.getOrDefault(a.name(), UsageDto.Totals.ZERO))).toList());
        model.put("values", values);
        model.put("errors", errors);
        return HttpResponse.status(status).body(ConsolePages.view("apps", model));
    }

    private Map<String, Object> detailModel(HttpRequest<?> request, AppDto app, Map<String, String> values,
                                            Map<String, String> errors) {
        String scope = "&app=" + UsageRange.enc(app.name() == null ? "" : app.name());
        Map<String, Object> model = pages.model(request, "apps");
        model.put("a", app);
        model.put("keys", api.get("/apps/" + AdminPaths.segment(app.id()) + "/keys", AppDto.Keys.class).keys());
        model.put("today", api.get("/usage?range=today&bucket=day" + scope, UsageDto.class).sums());
        model.put("month", api.get("/usage?range=month&bucket=day" + scope, UsageDto.class).sums());
        model.put("values", values);
        model.put("errors", errors);
        model.put("priorities", AppLimitsForm.PRIORITIES);
        model.put("dataQuery", "range=month&bucket=day" + scope);
        return model;
    }
}
