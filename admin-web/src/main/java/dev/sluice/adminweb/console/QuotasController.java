package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.QuotaUseDto;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/** {@code /console/quotas}: every backend's and app's quota, its use in the current period and its next reset. */
@Controller(ConsolePaths.QUOTAS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class QuotasController {

    private final AdminApi api;
    private final ConsolePages pages;

    public QuotasController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request) {
        List<QuotaUseDto> quotas = api.get("/quotas", QuotaUseDto.Page.class).quotas();
        Map<String, Object> model = pages.model(request, "quotas");
        model.put("quotas", quotas);
        return HttpResponse.ok(ConsolePages.view("quotas", model));
    }
}
