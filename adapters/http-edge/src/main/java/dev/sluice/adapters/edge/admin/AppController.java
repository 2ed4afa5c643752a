package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.AppPolicyCommand;
import dev.sluice.application.admin.AppService;
import dev.sluice.application.admin.QuotaCommand;
import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /admin/api/v1/apps}: client apps and their gateway keys. */
@Controller(value = "/admin/api/v1/apps", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class AppController {
    private final AppService apps;
    private final AdminJson json;

    private final AdminAudit audit;

    AppController(AppService apps, AdminJson json, AdminAudit audit) {
        this.audit = audit;
        this.apps = apps;
        this.json = json;
    }

    @Get
    AdminViews.AppList list() {
        return new AdminViews.AppList(apps.list().stream().map(AdminViews.AppView::of).toList());
    }

    @Get("/{id}")
    HttpResponse<?> get(String id) {
        return AdminIds.parse(id).flatMap(apps::get)
                .<HttpResponse<?>>map(a -> HttpResponse.ok(AdminViews.AppView.of(a)))
                .orElseGet(() -> appNotFound(id));
    }

    @Post
    HttpResponse<AdminViews.AppView> create(HttpRequest<?> request, @Body String body) {
        JsonNode root = json.parse(body);
        if (!root.isObject()) {
            throw new InvalidFieldsException(List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Map.Entry<String, JsonNode> e : root.entries()) {
            if (!Set.of("name").contains(e.getKey())) {
                throw new InvalidFieldsException(List.of(new FieldError(e.getKey(), "is not an app field")));
            }
        }
        JsonNode name = root.get("name");
        if (name != null && !name.isNull() && !name.isString()) {
            throw new InvalidFieldsException(List.of(new FieldError("name", "must be a string")));
        }
        var app = apps.create(name == null || name.isNull() ? null : name.getStringValue());
        AdminViews.AppView view = AdminViews.AppView.of(app);
        audit.record(request, "app.create", "app", app.id().toString(), app.name(), null, view);
        return HttpResponse.created(view);
    }

    /** Replaces the app's limits: {"rpm","tpm","maxConcurrent","maxWaitSeconds","priority","maxOutputTokens","quota":{...}}. */
    @Put("/{id}/limits")
    HttpResponse<?> limits(HttpRequest<?> request, String id, @Body String body) {
        JsonNode root = json.parse(body);
        if (!root.isObject()) {
            throw new InvalidFieldsException(List.of(new FieldError("body", "must be a JSON object")));
        }
        List<FieldError> errors = new java.util.ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.entries()) {
            if (!LIMIT_FIELDS.contains(e.getKey())) {
                errors.add(new FieldError(e.getKey(), "is not an app limit"));
            }
        }
        Long rpm = BackendJson.longValue(root, "rpm", errors, "rpm");
        Long tpm = BackendJson.longValue(root, "tpm", errors, "tpm");
        Long maxConcurrent = BackendJson.longValue(root, "maxConcurrent", errors, "maxConcurrent");
        Long maxOutputTokens = BackendJson.longValue(root, "maxOutputTokens", errors, "maxOutputTokens");
        Double maxWait = null;
        JsonNode wait = root.get("maxWaitSeconds");
        if (wait != null && !wait.isNull()) {
            if (wait.isNumber()) {
                maxWait = wait.getNumberValue().doubleValue();
            } else {
                errors.add(new FieldError("maxWaitSeconds", "must be a number of seconds"));
            }
        }
        String priority = BackendJson.string(root, "priority", errors, "priority");
        QuotaCommand quota = BackendJson.quota(root.get("quota"), "quota", errors);
        AppPolicyCommand command = new AppPolicyCommand(rpm, tpm, maxConcurrent, maxWait, priority, maxOutputTokens, quota);
        if (!errors.isEmpty()) {
            try {
                command.toPolicyForValidation();
            } catch (InvalidFieldsException more) {
                java.util.Set<String> named = new java.util.HashSet<>();
                errors.forEach(e -> named.add(e.field()));
                more.errors().stream().filter(e -> named.add(e.field())).forEach(errors::add);
            }
            throw new InvalidFieldsException(errors);
        }
        var before = AdminIds.parse(id).flatMap(apps::get).map(AdminViews.AppView::of);
        return AdminIds.parse(id).flatMap(uuid -> apps.updatePolicy(uuid, command))
                .<HttpResponse<?>>map(a -> {
                    AdminViews.AppView after = AdminViews.AppView.of(a);
                    audit.record(request, "app.limits", "app", a.id().toString(), a.name(), before.orElse(null), after);
                    return HttpResponse.ok(after);
                })
                .orElseGet(() -> appNotFound(id));
    }

    private static final Set<String> LIMIT_FIELDS = Set.of("rpm", "tpm", "maxConcurrent", "maxWaitSeconds", "priority",
            "maxOutputTokens", "quota");

    @Get("/{id}/keys")
    HttpResponse<?> keys(String id) {
        return AdminIds.parse(id).flatMap(apps::keys)
                .<HttpResponse<?>>map(keys -> HttpResponse.ok(new AdminViews.KeyList(keys.stream().map(AdminViews.KeyView::of).toList())))
                .orElseGet(() -> appNotFound(id));
    }

    @Post("/{id}/keys")
    HttpResponse<?> issueKey(HttpRequest<?> request, String id) {
        return AdminIds.parse(id).flatMap(apps::issueKey)
                .<HttpResponse<?>>map(k -> {
                    AdminViews.IssuedKeyView issued = AdminViews.IssuedKeyView.of(k);
                    // the key itself is shown once, to the caller, and never stored: the audit keeps id and prefix
                    audit.record(request, "key.issue", "app", id, null, null,
                            Map.of("keyId", String.valueOf(issued.id()), "prefix", String.valueOf(issued.prefix())));
                    return HttpResponse.created(issued);
                })
                .orElseGet(() -> appNotFound(id));
    }

    @Delete("/{id}/keys/{keyId}")
    HttpResponse<?> revokeKey(HttpRequest<?> request, String id, String keyId) {
        var app = AdminIds.parse(id);
        var key = AdminIds.parse(keyId);
        if (app.isPresent() && key.isPresent() && apps.revokeKey(app.get(), key.get())) {
            audit.record(request, "key.revoke", "app", id, null, Map.of("keyId", keyId), null);
            return HttpResponse.noContent();
        }
        return HttpResponse.notFound(AdminViews.ErrorResponse.of(404, "key_not_found",
                "No live key " + keyId + " for app " + id, "keyId"));
    }

    private static HttpResponse<?> appNotFound(String id) {
        return HttpResponse.notFound(AdminViews.ErrorResponse.of(404, "app_not_found", "No app with id " + id, "id"));
    }
}
