package dev.sluice.application.config;

import dev.sluice.application.port.AppRepository;
import dev.sluice.application.port.AutoModelRepository;
import dev.sluice.application.port.BackendRepository;
import dev.sluice.application.port.ConfigChanges;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.KeyTable;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.routing.RoutingTable;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current configuration snapshot. Reading it is one volatile read; a reload builds a new
 * snapshot from the repositories (blocking, off the request path) and swaps it in atomically.
 */
public final class LiveConfiguration {
    private final BackendRepository backends;
    private final AppRepository apps;
    private final AutoModelRepository autoModels;
    private final Clock clock;
    private volatile ConfigChanges changes = ConfigChanges.NONE;
    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>(ConfigSnapshot.EMPTY);

    public LiveConfiguration(BackendRepository backends, AppRepository apps, AutoModelRepository autoModels, Clock clock) {
        this.backends = backends;
        this.apps = apps;
        this.autoModels = autoModels;
        this.clock = clock;
    }

    /** A configuration without an {@code auto} model list. */
    public LiveConfiguration(BackendRepository backends, AppRepository apps, Clock clock) {
        this(backends, apps, null, clock);
    }

    /** Where {@link #changed()} announces a change to the other instances. */
    public void announceChangesTo(ConfigChanges changes) {
        this.changes = changes;
    }

    /** A change was committed here: reload, then tell the other instances to reload too. */
    public ConfigSnapshot changed() {
        ConfigSnapshot next = reload();
        changes.announce();
        return next;
    }

    public ConfigSnapshot current() {
        return current.get();
    }

    /** Loads the configuration anew; serialised so that a slower, older load never overwrites a newer one. */
    public synchronized ConfigSnapshot reload() {
        List<Backend> all = backends.findAll();
        RoutingTable routing = RoutingTable.of(all);
        List<App> allApps = apps.findAllApps();
        KeyTable keys = KeyTable.of(allApps, apps.findAllKeys());
        List<String> auto = autoModels == null ? List.of() : autoModels.findAll();
        ConfigSnapshot next = new ConfigSnapshot(routing, keys, all, auto, current.get().version() + 1, clock.instant(), allApps);
        current.set(next);
        return next;
    }
}
