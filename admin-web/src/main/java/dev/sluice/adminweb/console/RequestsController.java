package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.RequestDto;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /console/requests}: the request log, newest first, filtered by app, backend, model, status
 * and time, paged by the API's cursor; {@code /console/requests/{requestId}}: one request with every
 * attempt.
 */
@Controller(ConsolePaths.REQUESTS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class RequestsController {

    static final int PAGE_SIZE = 50;
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private final AdminApi api;
    private final ConsolePages pages;

    public RequestsController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request, @Nullable @QueryValue String app,
                                @Nullable @QueryValue String backend, @Nullable @QueryValue String model,
                                @Nullable @QueryValue String status, @Nullable @QueryValue String from,
                                @Nullable @QueryValue String to, @Nullable @QueryValue String before) {
        Map<String, String> filters = new LinkedHashMap<>();
        put(filters, "app", app);
        put(filters, "backend", backend);
        put(filters, "model", model);
        put(filters, "status", status);
        put(filters, "from", from);
        put(filters, "to", to);
        StringBuilder filterQuery = new StringBuilder();
        filters.forEach((k, v) -> filterQuery.append(filterQuery.isEmpty() ? "" : "&").append(k).append('=')
                .append(UsageRange.enc(v)));
        String apiQuery = "/requests?limit=" + PAGE_SIZE + (filterQuery.isEmpty() ? "" : "&" + filterQuery)
                + (before == null || before.isBlank() ? "" : "&before=" + UsageRange.enc(before));
        Map<String, Object> page = pages.model(request, "requests");
        page.put("filters", filters);
        page.put("filterQuery", filterQuery.toString());
        page.put("first", before == null || before.isBlank());
        try {
            RequestDto.Page result = api.get(apiQuery, RequestDto.Page.class);
            page.put("requests", result.requests());
            page.put("next", result.next());
            page.put("filterErrors", Map.of());
        } catch (dev.sluice.adminweb.api.AdminApiException e) {
            if (e.status() != 400) {
                throw e;
            }
            // a filter the API refused: show the page with the message next to the filter
            page.put("requests", java.util.List.of());
            page.put("next", null);
            page.put("filterErrors", e.fieldMessages());
            page.put("filterProblem", e.getMessage());
        }
        return HttpResponse.ok(ConsolePages.view("requests", page));
    }

    @Get(value = "/{requestId}", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> detail(HttpRequest<?> request, String requestId) {
        if (!REQUEST_ID.matcher(requestId).matches()) {
            throw new dev.sluice.adminweb.api.AdminApiException(404, "No request " + requestId + " in the request log.",
                    java.util.List.of());
        }
        RequestDto r = api.get("/requests/" + requestId, RequestDto.class);
        Map<String, Object> model = pages.model(request, "requests");
        model.put("r", r);
        return HttpResponse.ok(ConsolePages.view("request", model));
    }

    private static void put(Map<String, String> filters, String name, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            filters.put(name, value.strip());
        }
    }
}
