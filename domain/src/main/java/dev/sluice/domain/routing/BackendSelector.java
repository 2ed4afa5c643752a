package dev.sluice.domain.routing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Two-level selection: the best priority (lowest number) that has an eligible backend, then
 * smooth weighted round robin among the eligible backends of that priority. A backend is
 * eligible when the caller says so (enabled, not cooling down, not yet given up on for this
 * request, able to take the request). The round-robin state of each (model, priority) group
 * outlives configuration reloads, so a reload does not reset the rotation.
 */
public final class BackendSelector {
    private final ConcurrentHashMap<GroupKey, SmoothWeightedRoundRobin> groups = new ConcurrentHashMap<>();

    /**
     * @param model   the public model name (the rotation is kept per model)
     * @param routes  the model's routes, sorted by priority (as {@link RoutingTable#routes} gives them)
     */
    public Optional<Route> select(String model, List<Route> routes, Predicate<Route> eligible) {
        int i = 0;
        int size = routes.size();
        while (i < size) {
            int priority = routes.get(i).backend().priority();
            int j = i;
            boolean any = false;
            while (j < size && routes.get(j).backend().priority() == priority) {
                any |= eligible.test(routes.get(j));
                j++;
            }
            if (any) {
                List<Route> level = routes.subList(i, j);
                if (level.size() == 1) {
                    return Optional.of(level.getFirst());
                }
                Route pick = groups.computeIfAbsent(new GroupKey(model, priority), k -> new SmoothWeightedRoundRobin())
                        .pick(level, eligible);
                if (pick != null) {
                    return Optional.of(pick);
                }
            }
            i = j;
        }
        return Optional.empty();
    }

    private record GroupKey(String model, int priority) {
    }
}
