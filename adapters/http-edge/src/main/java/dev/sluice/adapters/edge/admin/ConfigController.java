package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.AppService;
import dev.sluice.application.admin.AutoModelService;
import dev.sluice.application.admin.BackendService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Map;

/**
 * {@code GET /admin/api/v1/config}: the whole configuration as YAML (or JSON with
 * {@code Accept: application/json}), see {@link ConfigExport}. {@code ?secrets=true} includes the
 * backends' API keys in plain text; such an export is written to the audit log.
 */
@Controller(value = "/admin/api/v1/config")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ConfigController {
    static final String YAML = "application/yaml";

    private final BackendService backends;
    private final AppService apps;
    private final AutoModelService autoModels;
    private final ConfigExport export;
    private final AdminAudit audit;

    ConfigController(BackendService backends, AppService apps, AutoModelService autoModels, JsonMapper mapper, AdminAudit audit) {
        this.backends = backends;
        this.apps = apps;
        this.autoModels = autoModels;
        this.export = new ConfigExport(mapper);
        this.audit = audit;
    }

    @Get(produces = {YAML, MediaType.APPLICATION_JSON})
    HttpResponse<String> get(HttpRequest<?> request, @Nullable @QueryValue Boolean secrets) {
        boolean withSecrets = Boolean.TRUE.equals(secrets);
        boolean viewer = request.getAttribute(AdminTokenFilter.CALLER, AdminTokens.Caller.class)
                .map(c -> c.role() == AdminTokens.Role.VIEWER).orElse(false);
        if (withSecrets && viewer) {
            return HttpResponse.<String>status(HttpStatus.FORBIDDEN)
                    .contentType(MediaType.APPLICATION_JSON_TYPE)
                    .body(export.json(Map.of("error", Map.of("message", "A viewer's token cannot export secrets.",
                            "type", "invalid_request_error", "code", "admin_read_only"))));
        }
        Map<String, Object> document = export.document(backends.list(), apps.list(), autoModels.list(), withSecrets);
        if (withSecrets) {
            audit.record(request, "config.export-secrets", "config", "all", null, null, null);
        }
        boolean json = request.getHeaders().accept().stream()
                .anyMatch(t -> t.matches(MediaType.APPLICATION_JSON_TYPE) && !t.getName().equals("*/*"));
        String body = json ? export.json(document) : ConfigExport.yaml(document);
        return HttpResponse.ok(body)
                .contentType(json ? MediaType.APPLICATION_JSON_TYPE : MediaType.of(YAML + ";charset=utf-8"))
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
    }
}
