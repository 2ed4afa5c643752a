package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An immutable view of which enabled backends serve which public model, in priority order
 * (lower number first; ties keep a stable order by name). Built once per configuration
 * change and shared by every request without locking.
 */
public final class RoutingTable {
    private static final Comparator<Route> PRIORITY_ORDER = Comparator
            .comparingInt((Route r) -> r.backend().priority())
            .thenComparing(r -> r.backend().name());

    private final Map<String, List<Route>> routesByModel;
    private final SortedSet<String> models;

    private RoutingTable(Map<String, List<Route>> routesByModel) {
        this.routesByModel = routesByModel;
        this.models = new TreeSet<>(routesByModel.keySet());
    }

    public static RoutingTable empty() {
        return new RoutingTable(Map.of());
    }

    public static RoutingTable of(Collection<Backend> backends) {
        Map<String, List<Route>> byModel = new HashMap<>();
        for (Backend backend : backends) {
            if (!backend.enabled()) {
                continue;
            }
            for (ModelMapping model : backend.models()) {
                byModel.computeIfAbsent(model.name(), k -> new ArrayList<>())
                        .add(new Route(backend, model.upstreamModel()));
            }
        }
        Map<String, List<Route>> frozen = new HashMap<>();
        byModel.forEach((model, routes) -> {
            routes.sort(PRIORITY_ORDER);
            frozen.put(model, List.copyOf(routes));
        });
        return new RoutingTable(Map.copyOf(frozen));
    }

    /** Every route for the model, best first; empty when no enabled backend serves it. */
    public List<Route> routes(String model) {
        return routesByModel.getOrDefault(model, List.of());
    }

    /** The highest-priority enabled backend serving the model. */
    public Optional<Route> first(String model) {
        List<Route> routes = routes(model);
        return routes.isEmpty() ? Optional.empty() : Optional.of(routes.getFirst());
    }

    /** The public model names served by at least one enabled backend, sorted. */
    public SortedSet<String> models() {
        return models;
    }
}
