package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /admin/api/v1/backends}: {@code {"data":[...]}}. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackendList(@Nullable List<BackendDto> data) {

    /** Never null. */
    public List<BackendDto> backends() {
        return data == null ? List.of() : data;
    }
}
