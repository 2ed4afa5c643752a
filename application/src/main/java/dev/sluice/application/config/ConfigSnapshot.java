package dev.sluice.application.config;

import dev.sluice.domain.app.App;
import dev.sluice.domain.app.KeyTable;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.routing.RoutingTable;

import java.time.Instant;
import java.util.List;

/**
 * Everything the request path needs, immutable, swapped as a whole when the configuration
 * changes: the routing table, the key table, every backend (also the disabled ones, for health
 * checks and views) and the ordered models behind {@code auto}.
 */
public record ConfigSnapshot(RoutingTable routing, KeyTable keys, List<Backend> backends, List<String> autoModels,
                             long version, Instant loadedAt, List<App> apps) {
    public static final ConfigSnapshot EMPTY = new ConfigSnapshot(RoutingTable.empty(), KeyTable.empty(), List.of(), List.of(), 0, Instant.EPOCH, List.of());

    public static final String AUTO_MODEL = "auto";

    public ConfigSnapshot {
        backends = backends == null ? List.of() : List.copyOf(backends);
        autoModels = autoModels == null ? List.of() : List.copyOf(autoModels);
        apps = apps == null ? List.of() : List.copyOf(apps);
    }

    public ConfigSnapshot(RoutingTable routing, KeyTable keys, List<Backend> backends, List<String> autoModels,
                          long version, Instant loadedAt) {
        this(routing, keys, backends, autoModels, version, loadedAt, List.of());
    }

    public ConfigSnapshot(RoutingTable routing, KeyTable keys, long version, Instant loadedAt) {
        this(routing, keys, List.of(), List.of(), version, loadedAt, List.of());
    }
}
