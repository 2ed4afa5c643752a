package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /usage}: a usage time series with its totals. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record UsageDto(@Nullable String from, @Nullable String to, @Nullable String bucket,
                       @Nullable List<String> groupBy, @Nullable List<Point> series, @Nullable Totals totals,
                       @Nullable Integer rowCount) {

    /** One bucket of one group; a dimension not grouped by is null. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Point(@Nullable String bucket, @Nullable String backend, @Nullable String app, @Nullable String model,
                        long requests, long errors, long promptTokens, long completionTokens, long totalTokens) {
    }

    /** Sums over the whole range. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Totals(long requests, long errors, long promptTokens, long completionTokens, long totalTokens) {
        public static final Totals ZERO = new Totals(0, 0, 0, 0, 0);
    }

    /** Never null. */
    public List<Point> points() {
        return series == null ? List.of() : series;
    }

    /** Never null. */
    public Totals sums() {
        return totals == null ? Totals.ZERO : totals;
    }
}
