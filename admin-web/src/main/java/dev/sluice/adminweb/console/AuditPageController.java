package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AuditDto;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /console/audit}: who changed what and when, with the target before and after, newest first. */
@Controller(ConsolePaths.AUDIT)
@ExecuteOn(TaskExecutors.BLOCKING)
public class AuditPageController {
    private static final Set<String> TYPES = Set.of("backend", "app", "models");

    private final AdminApi api;
    private final ConsolePages pages;
    private final JsonMapper mapper;

    public AuditPageController(AdminApi api, ConsolePages pages, JsonMapper mapper) {
        this.api = api;
        this.pages = pages;
        this.mapper = mapper;
    }

    /** One line of the page: the entry and its before/after as JSON text. */
    public record Line(AuditDto entry, @Nullable String before, @Nullable String after) {
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request, @Nullable @QueryValue String type) {
        String picked = type != null && TYPES.contains(type) ? type : "";
        List<Line> lines = api.get("/audit?limit=200" + (picked.isEmpty() ? "" : "&type=" + picked), AuditDto.Page.class)
                .entries().stream().map(e -> new Line(e, pretty(e.before()), pretty(e.after()))).toList();
        Map<String, Object> model = pages.model(request, "audit");
        model.put("lines", lines);
        model.put("type", picked);
        return HttpResponse.ok(ConsolePages.view("audit", model));
    }

    private @Nullable String pretty(@Nullable Object json) {
        if (json == null) {
            return null;
        }
        try {
            return new String(mapper.writeValueAsBytes(json), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return String.valueOf(json);
        }
    }
}
