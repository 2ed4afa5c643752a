package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /usage/latency}: latency and time-to-first-token percentiles per bucket, in milliseconds. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record LatencyDto(@Nullable String from, @Nullable String to, @Nullable String bucket, @Nullable Double sampled,
                         @Nullable List<Point> series, @Nullable Totals totals) {

    /** Whether the percentiles come from a sample of the range's requests (large ranges) rather than all of them. */
    public boolean isSampled() {
        return sampled != null && sampled < 1.0;
    }

    /** One bucket; a percentile is null where no request had that figure (TTFT of non-streamed requests). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Point(@Nullable String bucket, long requests, @Nullable Double latencyP50Ms,
                        @Nullable Double latencyP95Ms, @Nullable Double ttftP50Ms, @Nullable Double ttftP95Ms) {
    }

    /** Over the whole range. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Totals(long requests, @Nullable Double latencyP50Ms, @Nullable Double latencyP95Ms,
                         @Nullable Double ttftP50Ms, @Nullable Double ttftP95Ms) {
    }
}
