package dev.sluice.adapters.edge.admin;

import dev.sluice.application.port.RequestLogReader;
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

    RequestController(RequestLogReader requests) {
        this.requests = requests;
    }

    @Get("/{id}")
    HttpResponse<?> get(String id) {
        return requests.find(id)
                .<HttpResponse<?>>map(r -> HttpResponse.ok(AdminViews.RequestView.of(r)))
                .orElseGet(() -> HttpResponse.notFound(AdminViews.ErrorResponse.of(404, "request_not_found",
                        "No request " + id + " in the request log (it is written within a second of finishing).", "id")));
    }
}
