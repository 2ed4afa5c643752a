package dev.sluice.adminweb.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** A public model name and the name the upstream knows it by. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelDto(@Nullable String name, @Nullable String upstreamModel) {
}
