package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendTestData;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static dev.sluice.domain.backend.BackendTestData.aBackend;

/**
 * Intent-named routes for tests: {@code aRoute("a").withWeight(5).withPriority(1).build()}.
 * The backend id is derived from the name, so building the same name again gives a new
 * instance with the same id (what a configuration reload does).
 */
final class RouteTestData {
    static final String MODEL = "gpt-4o";

    private RouteTestData() {
    }

    static Builder aRoute(String backendName) {
        return new Builder(backendName);
    }

    static UUID idOf(String backendName) {
        return UUID.nameUUIDFromBytes(backendName.getBytes(StandardCharsets.UTF_8));
    }

    static final class Builder {
        private final BackendTestData.Builder backend;
        private int weight = Backend.DEFAULT_WEIGHT;

        private Builder(String name) {
            backend = aBackend().withId(idOf(name)).named(name).servingModel(MODEL);
        }

        Builder withWeight(int weight) {
            this.weight = weight;
            return this;
        }

        Builder withPriority(int priority) {
            backend.withPriority(priority);
            return this;
        }

        Route build() {
            Backend b = backend.build();
            // BackendTestData has no weight setter; copy the built backend with the weight we want.
            Backend weighted = new Backend(b.id(), b.name(), b.baseUrl(), b.apiKey(), b.priority(), weight,
                    b.timeoutMs(), b.enabled(), b.headers(), b.models(), b.options());
            return new Route(weighted, MODEL);
        }
    }
}
