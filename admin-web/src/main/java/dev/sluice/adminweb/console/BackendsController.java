package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.BackendDto;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/**
 * The backends page. The admin API call blocks, so the controller runs on the blocking executor
 * (virtual threads on JDK 21+), never on the event loop.
 */
@Controller(ConsolePaths.ROOT)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BackendsController {

    private final AdminApi api;
    private final ConsolePages pages;

    public BackendsController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    /** {@code /console/backends}: the table of backends. */
    @Get(value = "/backends", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> backends(HttpRequest<?> request) {
        Map<String, Object> model = pages.model(request, "backends");
        List<BackendRow> rows = api.get("/backends", BackendDto.Page.class).backends().stream().map(BackendRow::of).toList();
        model.put("backends", rows);
        model.put("enabledCount", rows.stream().filter(BackendRow::enabled).count());
        model.put("error", null);
        return HttpResponse.ok(ConsolePages.view("backends", model));
    }
}
