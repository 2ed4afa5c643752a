package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.AutoModelService;
import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.ArrayList;
import java.util.List;

/** {@code /admin/api/v1/models/auto}: the ordered models behind the public model {@code auto}. */
@Controller(value = "/admin/api/v1/models", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class RoutingController {
    private final AutoModelService autoModels;
    private final AdminJson json;

    private final AdminAudit audit;

    RoutingController(AutoModelService autoModels, AdminJson json, AdminAudit audit) {
        this.audit = audit;
        this.autoModels = autoModels;
        this.json = json;
    }

    @Get("/auto")
    AdminViews.AutoModels get() {
        return new AdminViews.AutoModels(autoModels.list());
    }

    @Put("/auto")
    AdminViews.AutoModels put(HttpRequest<?> request, @Body String body) {
        JsonNode root = json.parse(body);
        JsonNode models = root.isObject() ? root.get("models") : null;
        if (models == null || !models.isArray()) {
            throw new InvalidFieldsException(List.of(new FieldError("models", "must be an array of model names")));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            if (!m.isString()) {
                throw new InvalidFieldsException(List.of(new FieldError("models[" + i + "]", "must be a string")));
            }
            names.add(m.getStringValue());
        }
        AdminViews.AutoModels before = new AdminViews.AutoModels(autoModels.list());
        AdminViews.AutoModels after = new AdminViews.AutoModels(autoModels.replace(names));
        audit.record(request, "models.auto", "models", "auto", "auto", before, after);
        return after;
    }
}
