package dev.sluice.domain.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.sluice.domain.routing.RouteTestData.aRoute;
import static dev.sluice.domain.routing.RouteTestData.idOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmoothWeightedRoundRobinTest {
    private static final int PICKS = 10_000;
    private static final Predicate<Route> ALL = r -> true;

    private final SmoothWeightedRoundRobin rotation = new SmoothWeightedRoundRobin();

    @Test
    void givenWeights5_1_1_thenTheFirstCycleIsTheNginxSmoothSequence() {
        List<Route> group = group(5, 1, 1);

        assertEquals("aabacaa", names(picks(group, ALL, 7)));
        assertEquals("aabacaa", names(picks(group, ALL, 7)), "the next cycle repeats it");
    }

    @ParameterizedTest(name = "weights {0}")
    @ValueSource(strings = {"5,1,1", "3,2", "1,1,1,1", "10,1", "7,3,2,1"})
    void givenWeights_whenPicking10000Times_thenEveryWholeCycleGivesExactShares(String weights) {
        List<Route> group = group(parse(weights));
        int total = group.stream().mapToInt(Route::weight).sum();
        Map<UUID, Integer> counts = new HashMap<>();

        for (int pick = 1; pick <= PICKS; pick++) {
            counts.merge(rotation.pick(group, ALL).memberId(), 1, Integer::sum);
            if (pick % total == 0) {
                int cycles = pick / total;
                for (Route r : group) {
                    assertEquals(r.weight() * cycles, counts.getOrDefault(r.memberId(), 0),
                            r.backend().name() + " after " + cycles + " cycles");
                }
            }
        }
    }

    @ParameterizedTest(name = "weights {0}")
    @ValueSource(strings = {"5,1,1", "3,2", "1,1,1,1", "10,1", "7,3,2,1"})
    void givenWeights_thenEveryPrefixOfPicksIsWithinOnePickOfItsExactShare(String weights) {
        // A burst (a a a a a b c) would be 1.43 picks ahead of a's share after five picks.
        List<Route> group = group(parse(weights));
        double total = group.stream().mapToInt(Route::weight).sum();
        Map<UUID, Integer> counts = new HashMap<>();

        for (int pick = 1; pick <= PICKS; pick++) {
            counts.merge(rotation.pick(group, ALL).memberId(), 1, Integer::sum);
            for (Route r : group) {
                double deviation = counts.getOrDefault(r.memberId(), 0) - pick * r.weight() / total;
                assertTrue(Math.abs(deviation) < 1.0,
                        r.backend().name() + " is " + deviation + " picks off its share after " + pick + " picks");
            }
        }
    }

    @ParameterizedTest(name = "weights {0}")
    @ValueSource(strings = {"5,1,1", "3,2", "1,1,1,1", "10,1", "7,3,2,1"})
    void givenWeights_thenNoMemberRunsLongerThanItsShareRequires(String weights) {
        // A member with no more weight than the rest together never needs to repeat. A heavier one needs
        // runs of ceil(w / others) between the others' picks; the smooth order may add one where two
        // cycles meet. A burst would run w times.
        List<Route> group = group(parse(weights));
        int total = group.stream().mapToInt(Route::weight).sum();
        List<Route> picks = picks(group, ALL, PICKS);

        for (Route r : group) {
            int others = total - r.weight();
            int allowed = r.weight() <= others ? 1 : Math.ceilDiv(r.weight(), others) + 1;
            assertTrue(longestRun(picks, r.memberId()) <= allowed,
                    r.backend().name() + " ran " + longestRun(picks, r.memberId()) + " times in a row, allowed " + allowed);
        }
    }

    @Test
    void givenEqualWeights_thenNoMemberIsEverPickedTwiceInARow() {
        List<Route> picks = picks(group(1, 1, 1, 1), ALL, PICKS);

        for (int i = 1; i < picks.size(); i++) {
            assertTrue(picks.get(i) != picks.get(i - 1), "repeat at pick " + i);
        }
        assertEquals("abcdabcd", names(picks.subList(0, 8)));
    }

    @Test
    void givenWeights5_1_1_thenTheHeavyMemberNeverRunsFiveTimes() {
        assertEquals(4, longestRun(picks(group(5, 1, 1), ALL, PICKS), idOf("a")),
                "two a's end a cycle and two begin the next; a burst would be five");
    }

    @Test
    void givenAnIneligibleMember_thenItIsSkippedAndTheOthersKeepExactShares() {
        List<Route> group = group(5, 3, 1, 1);
        Predicate<Route> notB = r -> !r.memberId().equals(idOf("b"));
        int eligibleTotal = 5 + 1 + 1;
        int cycles = PICKS / eligibleTotal;

        Map<String, Long> counts = counts(picks(group, notB, cycles * eligibleTotal));

        assertEquals(Map.of("a", 5L * cycles, "c", 1L * cycles, "d", 1L * cycles), counts);
    }

    @Test
    void givenAMemberIneligibleForAWhile_thenItDoesNotCatchUpInABurstWhenBack() {
        List<Route> group = group(5, 1, 1);
        Predicate<Route> notB = r -> !r.memberId().equals(idOf("b"));
        picks(group, notB, 1_000);

        Map<String, Long> nextCycle = counts(picks(group, ALL, 7));

        assertTrue(nextCycle.getOrDefault("b", 0L) <= 2, "b was picked " + nextCycle.get("b") + " times in 7");
        assertTrue(nextCycle.getOrDefault("a", 0L) >= 4, "a keeps its share: " + nextCycle);
    }

    @Test
    void givenNoEligibleMember_thenNothingIsPickedAndTheRotationIsUntouched() {
        List<Route> group = group(5, 1, 1);
        List<Route> firstThree = picks(group, ALL, 3);

        assertNull(rotation.pick(group, r -> false));
        assertNull(rotation.pick(List.<Route>of(), ALL));

        assertEquals("aab" + "acaa", names(firstThree) + names(picks(group, ALL, 4)));
    }

    @Test
    void givenANewListWithTheSameBackendIds_thenTheRotationContinuesWhereItWas() {
        List<Route> beforeReload = group(5, 1, 1);
        List<Route> firstThree = picks(beforeReload, ALL, 3);

        List<Route> afterReload = group(5, 1, 1);
        assertTrue(afterReload.getFirst() != beforeReload.getFirst(), "a fresh instance, as after a reload");

        assertEquals("aabacaa", names(firstThree) + names(picks(afterReload, ALL, 4)));
    }

    @Test
    void givenANonPositiveWeight_thenTheMemberCountsAsWeightOne() {
        List<Route> group = List.of(aRoute("a").withWeight(0).build(), aRoute("b").withWeight(1).build());

        assertEquals(Map.of("a", 500L, "b", 500L), counts(picks(group, ALL, 1_000)));
    }

    private List<Route> picks(List<Route> group, Predicate<Route> eligible, int n) {
        List<Route> picks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picks.add(rotation.pick(group, eligible));
        }
        return picks;
    }

    /** Members named a, b, c, ... with the given weights. */
    static List<Route> group(int... weights) {
        List<Route> group = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            group.add(aRoute(String.valueOf((char) ('a' + i))).withWeight(weights[i]).build());
        }
        return group;
    }

    static String names(List<Route> picks) {
        StringBuilder s = new StringBuilder();
        picks.forEach(r -> s.append(r.backend().name()));
        return s.toString();
    }

    static Map<String, Long> counts(List<Route> picks) {
        Map<String, Long> counts = new HashMap<>();
        picks.forEach(r -> counts.merge(r.backend().name(), 1L, Long::sum));
        return counts;
    }

    private static int longestRun(List<Route> picks, UUID id) {
        int longest = 0;
        int run = 0;
        for (Route r : picks) {
            run = r.memberId().equals(id) ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    private static int[] parse(String weights) {
        return Arrays.stream(weights.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
