package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import dev.sluice.adminweb.api.AdminApiUnreachableException;
import dev.sluice.adminweb.api.UsageDto;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * {@code /console/usage}: the backend × app × model table for a range and bucket, sortable by any
 * column, and {@code /console/usage/export.csv}, which streams the admin API's CSV export through
 * (never held whole in memory).
 */
@Controller(ConsolePaths.USAGE)
public class UsageController {

    /** Rows shown on the page; the CSV has all of them. */
    static final int MAX_ROWS = 2000;
    private static final String GROUPS = "backend,app,model";

    /** The columns the table sorts by (the admin API's {@code sort} values). */
    private static final Set<String> SORTS = Set.of("bucket", "backend", "app", "model", "requests", "errors",
            "promptTokens", "completionTokens", "totalTokens");

    private final AdminApi api;
    private final ConsolePages pages;

    public UsageController(AdminApi api, ConsolePages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Get(produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> usage(HttpRequest<?> request, @Nullable @QueryValue String range,
                                 @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                 @Nullable @QueryValue String bucket, @Nullable @QueryValue String sort,
                                 @Nullable @QueryValue String dir) {
        UsageRange picked = UsageRange.of(range, from, to, bucket);
        String column = sort != null && SORTS.contains(sort) ? sort : "bucket";
        boolean descending = dir == null ? !column.equals("backend") && !column.equals("app") && !column.equals("model")
                : dir.equalsIgnoreCase("desc");
        // the API sorts and keeps the top rows: a day by minute can hold hundreds of thousands
        UsageDto usage = api.get("/usage?groupBy=" + GROUPS + "&" + picked.apiQuery() + "&sort=" + column
                + "&dir=" + (descending ? "desc" : "asc") + "&limit=" + MAX_ROWS, UsageDto.class);
        List<UsageDto.Point> rows = usage.points();
        Map<String, Object> model = pages.model(request, "usage");
        model.put("picked", picked);
        model.put("rows", rows);
        model.put("rowCount", usage.rowCount() == null ? rows.size() : usage.rowCount());
        model.put("maxRows", MAX_ROWS);
        model.put("totals", usage.sums());
        model.put("sort", column);
        model.put("dir", descending ? "desc" : "asc");
        model.put("pageQuery", picked.pageQuery());
        model.put("csvQuery", picked.pageQuery());
        return HttpResponse.ok(ConsolePages.view("usage", model));
    }

    /** The CSV export, streamed from the admin API chunk by chunk as it arrives. */
    @Get(value = "/export.csv", produces = "text/csv")
    public HttpResponse<Publisher<byte[]>> csv(@Nullable @QueryValue String range, @Nullable @QueryValue String from,
                                               @Nullable @QueryValue String to, @Nullable @QueryValue String bucket) {
        UsageRange picked = UsageRange.of(range, from, to, bucket);
        Publisher<byte[]> body = Flux.from(api.stream("/usage/export.csv?groupBy=" + GROUPS + "&" + picked.apiQuery()))
                .onErrorMap(HttpClientException.class, e -> new AdminApiUnreachableException(api.describe(), e))
                .map(UsageController::bytes);
        String name = "sluice-usage-" + picked.range() + "-" + LocalDate.now(ZoneOffset.UTC) + ".csv";
        return HttpResponse.ok(body)
                .contentType(new MediaType("text/csv;charset=utf-8"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name.toLowerCase(Locale.ROOT) + "\"");
    }

    private static byte[] bytes(ByteBuffer<?> buffer) {
        byte[] out = buffer.toByteArray();
        if (buffer instanceof io.micronaut.core.io.buffer.ReferenceCounted rc) {
            rc.release();
        }
        return out;
    }
}
