package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.BackendDto;
import dev.sluice.adminweb.api.LatencyDto;
import dev.sluice.adminweb.api.QueueDto;
import dev.sluice.adminweb.api.UsageDto;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/**
 * {@code /console}: the dashboard. Totals for today, this week and this month; for the picked
 * range the error rate, latency percentiles, top apps and models, and charts by backend and by app
 * (drawn in the browser from {@code /console/data/usage}); live tiles for the queue and for backends
 * out of rotation.
 */
@Controller(ConsolePaths.ROOT)
@ExecuteOn(TaskExecutors.BLOCKING)
public class DashboardController {

    private static final int TOP = 5;

    private final AdminApi api;
    private final ConsolePages pages;

    public DashboardController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> dashboard(HttpRequest<?> request, @Nullable @QueryValue String range,
                                     @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                     @Nullable @QueryValue String bucket) {
        UsageRange picked = UsageRange.of(range, from, to, bucket);
        Map<String, Object> model = pages.model(request, "dashboard");
        try (Parallel calls = new Parallel()) {
            var today = calls.fork(() -> totals("range=today&bucket=day"));
            var week = calls.fork(() -> totals("range=week&bucket=day"));
            var month = calls.fork(() -> totals("range=month&bucket=day"));
            String byDay = picked.apiQuery("day");
            var selected = calls.fork(() -> totals(byDay));
            var topApps = calls.fork(() -> UsageRanking.top(api.get("/usage?groupBy=app&" + byDay, UsageDto.class),
                    UsageDto.Point::app, TOP));
            var topModels = calls.fork(() -> UsageRanking.top(api.get("/usage?groupBy=model&" + byDay, UsageDto.class),
                    UsageDto.Point::model, TOP));
            var latency = calls.fork(() -> latency(picked));
            var queue = calls.fork(() -> api.get("/queue", QueueDto.class));
            var backendList = calls.fork(() -> api.get("/backends", BackendDto.Page.class).backends());
            model.put("picked", picked);
            model.put("today", today.get());
            model.put("week", week.get());
            model.put("month", month.get());
            model.put("selected", selected.get());
            model.put("topApps", topApps.get());
            model.put("topModels", topModels.get());
            LatencyDto percentiles = latency.get();
            model.put("latency", percentiles == null ? null : percentiles.totals());
            model.put("latencySample", percentiles == null || !percentiles.isSampled() ? null
                    : "from a " + Fmt.INSTANCE.pct(percentiles.sampled(), 1) + " sample of the range's requests");
            model.put("queue", queue.get());
            List<BackendDto> backends = backendList.get();
            List<BackendDto> outOfRotation = backends.stream()
                    .filter(b -> Boolean.TRUE.equals(b.enabled()))
                    .filter(DashboardController::outOfRotation)
                    .toList();
            model.put("backendCount", backends.size());
            model.put("disabledCount", backends.stream().filter(b -> !Boolean.TRUE.equals(b.enabled())).count());
            model.put("outOfRotation", outOfRotation);
        }
        model.put("dataQuery", picked.apiQuery());
        return HttpResponse.ok(ConsolePages.view("dashboard", model));
    }

    /** Open or probing circuit, or cooling down after a 429: not taking its share of traffic. */
    static boolean outOfRotation(BackendDto b) {
        BackendDto.HealthDto h = b.health();
        return h != null && (Boolean.FALSE.equals(h.available()) || (h.state() != null && !"CLOSED".equals(h.state())));
    }

    private UsageDto.Totals totals(String query) {
        return api.get("/usage?" + query, UsageDto.class).sums();
    }

    /** Latency percentiles, or null when this gateway's API has none (an older gateway behind the console). */
    private @Nullable LatencyDto latency(UsageRange picked) {
        try {
            return api.get("/usage/latency?" + picked.apiQuery("day"), LatencyDto.class);
        } catch (AdminApiException e) {
            if (e.notFound()) {
                return null;
            }
            throw e;
        }
    }
}
