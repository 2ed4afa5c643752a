package dev.sluice.application.config;

import dev.sluice.application.port.AppRepository;
import dev.sluice.application.port.BackendRepository;
import dev.sluice.domain.app.KeyTable;
import dev.sluice.domain.routing.RoutingTable;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current configuration snapshot. Reading it is one volatile read; a reload builds a new
 * snapshot from the repositories (blocking, off the request path) and swaps it in atomically.
 */
public final class LiveConfiguration {
    private final BackendRepository backends;
    private final AppRepository apps;
    private final Clock clock;
    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>(ConfigSnapshot.EMPTY);

    public LiveConfiguration(BackendRepository backends, AppRepository apps, Clock clock) {
        this.backends = backends;
        this.apps = apps;
        this.clock = clock;
    }

    public ConfigSnapshot current() {
        return current.get();
    }

    /** Loads the configuration anew; serialised so that a slower, older load never overwrites a newer one. */
    public synchronized ConfigSnapshot reload() {
        RoutingTable routing = RoutingTable.of(backends.findAll());
        KeyTable keys = KeyTable.of(apps.findAllApps(), apps.findAllKeys());
        ConfigSnapshot next = new ConfigSnapshot(routing, keys, current.get().version() + 1, clock.instant());
        current.set(next);
        return next;
    }
}
