package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.QueueDto;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * {@code /console/queue}: requests waiting per model with the queue's counters. The page is
 * rendered whole once; its script then polls {@code /console/data/queue} and redraws the table.
 */
@Controller(ConsolePaths.QUEUE)
@ExecuteOn(TaskExecutors.BLOCKING)
public class QueueController {

    private final AdminApi api;
    private final ConsolePages pages;

    public QueueController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> queue(HttpRequest<?> request) {
        Map<String, Object> model = pages.model(request, "queue");
        model.put("queue", api.get("/queue", QueueDto.class));
        return HttpResponse.ok(ConsolePages.view("queue", model));
    }
}
