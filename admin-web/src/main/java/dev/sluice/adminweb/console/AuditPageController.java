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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

    /** One line of the page: the entry, the fields that changed ({@code path: before → after}), and before/after as JSON text. */
    public record Line(AuditDto entry, List<String> changes, @Nullable String before, @Nullable String after) {
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request, @Nullable @QueryValue String type) {
        String picked = type != null && TYPES.contains(type) ? type : "";
        List<Line> lines = api.get("/audit?limit=200" + (picked.isEmpty() ? "" : "&type=" + picked), AuditDto.Page.class)
                .entries().stream().map(e -> new Line(e, changes(e.before(), e.after()), pretty(e.before()), pretty(e.after())))
                .toList();
        Map<String, Object> model = pages.model(request, "audit");
        model.put("lines", lines);
        model.put("type", picked);
        return HttpResponse.ok(ConsolePages.view("audit", model));
    }

    /** Field by field, where both states are known: {@code limits.rpm: null → 900}. */
    static List<String> changes(@Nullable Object before, @Nullable Object after) {
        if (before == null || after == null) {
            return List.of();
        }
        Map<String, String> was = new TreeMap<>();
        Map<String, String> is = new TreeMap<>();
        flatten("", before, was);
        flatten("", after, is);
        Set<String> paths = new TreeSet<>(was.keySet());
        paths.addAll(is.keySet());
        List<String> changes = new ArrayList<>();
        for (String path : paths) {
            String a = was.getOrDefault(path, "null");
            String b = is.getOrDefault(path, "null");
            if (!a.equals(b)) {
                changes.add(path + ": " + a + " → " + b);
            }
        }
        return changes;
    }

    private static void flatten(String path, @Nullable Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(path.isEmpty() ? String.valueOf(k) : path + "." + k, v, into));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(path + "[" + i + "]", list.get(i), into);
            }
        } else {
            into.put(path, String.valueOf(value));
        }
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
