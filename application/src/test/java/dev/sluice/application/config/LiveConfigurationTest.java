package dev.sluice.application.config;

import dev.sluice.application.testing.InMemoryAppRepository;
import dev.sluice.application.testing.InMemoryBackendRepository;
import dev.sluice.domain.backend.Backend;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class LiveConfigurationTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final InMemoryBackendRepository backends = new InMemoryBackendRepository();
    private final LiveConfiguration configuration = new LiveConfiguration(backends, new InMemoryAppRepository(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void beforeTheFirstLoadNothingRoutes() {
        backends.insert(aBackend().servingModel("gpt-4o").build());

        assertSame(ConfigSnapshot.EMPTY, configuration.current());
        assertEquals(List.of(), List.copyOf(configuration.current().routing().models()));
    }

    @Test
    void eachReloadSwapsInANewerSnapshotOfTheRepositories() {
        Backend backend = aBackend().servingModel("gpt-4o").build();
        backends.insert(backend);

        ConfigSnapshot first = configuration.reload();
        backends.delete(backend.id());
        ConfigSnapshot second = configuration.reload();

        assertEquals(1, first.version());
        assertEquals(2, second.version());
        assertEquals(NOW, second.loadedAt());
        assertSame(second, configuration.current());
        assertEquals(List.of("gpt-4o"), List.copyOf(first.routing().models()), "an old snapshot does not change");
        assertEquals(List.of(), List.copyOf(second.routing().models()));
    }
}
