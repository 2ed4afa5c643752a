package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.AdminApiUnreachableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The admin API's read-only JSON for the pages' scripts (charts, live tiles, the queue), under the
 * console's session: {@code /console/data/usage?...} answers what {@code /admin/api/v1/usage?...}
 * answers. Only the listed read endpoints pass; the admin token never reaches the browser.
 */
@Controller(ConsolePaths.DATA)
@ExecuteOn(TaskExecutors.BLOCKING)
public class ConsoleDataController {

    static final Set<String> READABLE = Set.of("usage", "usage/latency", "usage/backends", "queue", "quotas", "backends");

    private final AdminApi api;

    public ConsoleDataController(AdminApi api) {
        this.api = api;
    }

    @Get(uris = {"/{first}", "/{first}/{second}"}, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> read(HttpRequest<?> request, String first, @io.micronaut.core.annotation.Nullable String second) {
        String path = second == null ? first : first + "/" + second;
        if (!READABLE.contains(path)) {
            return HttpResponse.notFound(error("No console data at " + path + ".", "not_found"));
        }
        String query = request.getUri().getRawQuery();
        try {
            return HttpResponse.ok(api.getJson("/" + path + (query == null ? "" : "?" + query)));
        } catch (AdminApiException e) {
            int status = e.status() >= 400 && e.status() < 500 && e.status() != 401 ? e.status() : 502;
            return HttpResponse.status(HttpStatus.valueOf(status)).body(error(e.getMessage(), "admin_api_error"));
        } catch (AdminApiUnreachableException e) {
            return HttpResponse.status(HttpStatus.BAD_GATEWAY).body(error(e.getMessage(), "admin_api_unreachable"));
        }
    }

    private static Map<String, Object> error(String message, String code) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", message);
        detail.put("type", "api_error");
        detail.put("code", code);
        detail.put("param", null);
        return Map.of("error", detail);
    }
}
