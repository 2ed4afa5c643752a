package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /queue}: requests waiting for capacity, per model. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record QueueDto(int waiting, int maxSize, @Nullable List<Line> models) {

    /** One model's queue and its counters since start. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Line(@Nullable String model, int waiting, long oldestWaitMs, long admitted, long timedOut,
                       long rejectedFull) {
    }

    /** Never null. */
    public List<Line> lines() {
        return models == null ? List.of() : models;
    }
}
