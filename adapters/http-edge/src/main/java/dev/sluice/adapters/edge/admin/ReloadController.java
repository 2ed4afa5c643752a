package dev.sluice.adapters.edge.admin;

import dev.sluice.application.config.ConfigSnapshot;
import dev.sluice.application.config.LiveConfiguration;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;

/**
 * {@code POST /admin/api/v1/reload}: reloads the configuration from the database on this instance
 * now and tells every other instance to do the same (after a change made straight in the database,
 * for example).
 */
@Controller(value = "/admin/api/v1/reload", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class ReloadController {
    private final LiveConfiguration configuration;

    ReloadController(LiveConfiguration configuration) {
        this.configuration = configuration;
    }

    /** The snapshot now in force: its version on this instance, when it was loaded, what it holds. */
    @Serdeable
    record Reloaded(long version, Instant loadedAt, int backends, int apps, int models) {
    }

    @Post
    Reloaded reload() {
        ConfigSnapshot s = configuration.changed();
        return new Reloaded(s.version(), s.loadedAt(), s.backends().size(), s.apps().size(), s.routing().models().size());
    }
}
