package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import static dev.sluice.domain.routing.RouteTestData.aRoute;
import static dev.sluice.domain.routing.RouteTestData.idOf;
import static dev.sluice.domain.routing.SmoothWeightedRoundRobinTest.counts;
import static dev.sluice.domain.routing.SmoothWeightedRoundRobinTest.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendSelectorTest {
    private static final int PICKS = 10_000;
    private static final Predicate<Route> ALL = r -> true;

    private final BackendSelector selector = new BackendSelector();

    /** Priority 1: a(5) b(1) c(1); priority 2: d(3) e(1); priority 3: f(1) alone. */
    private static List<Route> threeLevels() {
        return List.of(
                aRoute("a").withPriority(1).withWeight(5).build(),
                aRoute("b").withPriority(1).withWeight(1).build(),
                aRoute("c").withPriority(1).withWeight(1).build(),
                aRoute("d").withPriority(2).withWeight(3).build(),
                aRoute("e").withPriority(2).withWeight(1).build(),
                aRoute("f").withPriority(3).withWeight(1).build());
    }

    @Test
    void givenRandomEligibility_whenPicking10000Times_thenALowerPriorityIsPickedOnlyWhenNoHigherOneIsEligible() {
        List<Route> routes = threeLevels();
        Random random = new Random(20240611L);
        Map<Integer, Integer> picksPerPriority = new HashMap<>();

        for (int pick = 0; pick < PICKS; pick++) {
            // Decided once per pick: the selector may ask about the same route more than once.
            Set<UUID> eligibleIds = new HashSet<>();
            routes.forEach(r -> {
                if (random.nextDouble() < 0.35) {
                    eligibleIds.add(r.memberId());
                }
            });
            List<Route> eligible = routes.stream().filter(r -> eligibleIds.contains(r.memberId())).toList();

            Optional<Route> chosen = selector.select(RouteTestData.MODEL, routes, r -> eligibleIds.contains(r.memberId()));

            if (eligible.isEmpty()) {
                assertEquals(Optional.empty(), chosen, "pick " + pick);
                continue;
            }
            Route route = chosen.orElseThrow(() -> new AssertionError("nothing picked though some are eligible"));
            int bestEligible = eligible.stream().mapToInt(r -> r.backend().priority()).min().orElseThrow();
            assertTrue(eligibleIds.contains(route.memberId()), "picked an ineligible backend at pick " + pick);
            assertEquals(bestEligible, route.backend().priority(), "priority violated at pick " + pick);
            picksPerPriority.merge(route.backend().priority(), 1, Integer::sum);
        }

        assertEquals(Set.of(1, 2, 3), picksPerPriority.keySet(), "every level was exercised: " + picksPerPriority);
    }

    @Test
    void givenAllEligible_thenOnlyTheBestPriorityServesAndItsSharesAreExact() {
        int cycles = PICKS / 7;

        Map<String, Long> counts = counts(picks(threeLevels(), ALL, cycles * 7));

        assertEquals(Map.of("a", 5L * cycles, "b", 1L * cycles, "c", 1L * cycles), counts);
    }

    @Test
    void givenTheBestPriorityIsAllIneligible_thenTheNextPriorityServesWithExactShares() {
        Predicate<Route> notPriorityOne = r -> r.backend().priority() != 1;
        int cycles = PICKS / 4;

        Map<String, Long> counts = counts(picks(threeLevels(), notPriorityOne, cycles * 4));

        assertEquals(Map.of("d", 3L * cycles, "e", 1L * cycles), counts);
    }

    @Test
    void givenSomeOfTheBestPriorityIneligible_thenTheyAreSkippedAndTheRestKeepExactShares() {
        Predicate<Route> notB = r -> !r.memberId().equals(idOf("b"));
        int cycles = PICKS / 6;

        Map<String, Long> counts = counts(picks(threeLevels(), notB, cycles * 6));

        assertEquals(Map.of("a", 5L * cycles, "c", 1L * cycles), counts);
    }

    @Test
    void givenOnlyALoneBackendOfTheLowestPriorityIsEligible_thenItIsPicked() {
        Predicate<Route> onlyF = r -> r.memberId().equals(idOf("f"));

        assertEquals(Optional.of(idOf("f")), selector.select(RouteTestData.MODEL, threeLevels(), onlyF).map(Route::memberId));
    }

    @Test
    void givenNothingEligibleOrNoRoutes_thenNothingIsSelected() {
        assertEquals(Optional.empty(), selector.select(RouteTestData.MODEL, threeLevels(), r -> false));
        assertEquals(Optional.empty(), selector.select(RouteTestData.MODEL, List.of(), ALL));
    }

    @Test
    void givenTwoModelsOverTheSameBackends_thenEachModelKeepsItsOwnRotation() {
        List<Route> routes = SmoothWeightedRoundRobinTest.group(5, 1, 1);
        List<Route> first = new ArrayList<>();
        List<Route> second = new ArrayList<>();

        for (int i = 0; i < 7; i++) {
            first.add(selector.select("model-one", routes, ALL).orElseThrow());
            if (i % 2 == 0) {
                second.add(selector.select("model-two", routes, ALL).orElseThrow());
            }
        }
        for (int i = 0; i < 3; i++) {
            second.add(selector.select("model-two", routes, ALL).orElseThrow());
        }

        assertEquals("aabacaa", names(first));
        assertEquals("aabacaa", names(second));
    }

    @Test
    void givenTwoPrioritiesOfOneModel_thenEachPriorityKeepsItsOwnRotation() {
        List<Route> routes = List.of(
                aRoute("a").withPriority(1).withWeight(5).build(),
                aRoute("b").withPriority(1).withWeight(1).build(),
                aRoute("c").withPriority(1).withWeight(1).build(),
                aRoute("x").withPriority(2).withWeight(5).build(),
                aRoute("y").withPriority(2).withWeight(1).build(),
                aRoute("z").withPriority(2).withWeight(1).build());
        Predicate<Route> primaryDown = r -> r.backend().priority() == 2;
        List<Route> primary = new ArrayList<>();
        List<Route> backup = new ArrayList<>();

        // The primary level goes down every other request; neither rotation disturbs the other.
        for (int i = 0; i < 7; i++) {
            primary.add(selector.select(RouteTestData.MODEL, routes, ALL).orElseThrow());
            backup.add(selector.select(RouteTestData.MODEL, routes, primaryDown).orElseThrow());
        }

        assertEquals("aabacaa", names(primary));
        assertEquals("xxyxzxx", names(backup));
    }

    @Test
    void givenAConfigurationReload_whenTheRoutingTableIsRebuilt_thenTheRotationContinues() {
        List<Route> beforeReload = reloadedRoutes();
        List<Route> picks = new ArrayList<>(picks(beforeReload, ALL, 3));

        List<Route> afterReload = reloadedRoutes();
        assertTrue(afterReload != beforeReload && afterReload.getFirst() != beforeReload.getFirst());
        picks.addAll(picks(afterReload, ALL, 4));

        assertEquals("aabacaa", names(picks));
    }

    @Test
    void givenParallelCallers_whenPickingConcurrently_thenTheTotalsAreStillExact() throws Exception {
        List<Route> routes = threeLevels();
        int threads = 8;
        int picksPerThread = 1_750;
        int cycles = threads * picksPerThread / 7;
        Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < picksPerThread; i++) {
                        Route r = selector.select(RouteTestData.MODEL, routes, ALL).orElseThrow();
                        counts.computeIfAbsent(r.backend().name(), k -> new LongAdder()).increment();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, Long> totals = new HashMap<>();
        counts.forEach((name, n) -> totals.put(name, n.sum()));
        assertEquals(Map.of("a", 5L * cycles, "b", 1L * cycles, "c", 1L * cycles), totals);
    }

    /** What a reload gives: a new table with new backend instances that keep their ids. */
    private static List<Route> reloadedRoutes() {
        List<Backend> backends = SmoothWeightedRoundRobinTest.group(5, 1, 1).stream().map(Route::backend).toList();
        return RoutingTable.of(backends).routes(RouteTestData.MODEL);
    }

    private List<Route> picks(List<Route> routes, Predicate<Route> eligible, int n) {
        List<Route> picks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picks.add(selector.select(RouteTestData.MODEL, routes, eligible).orElseThrow());
        }
        return picks;
    }
}
