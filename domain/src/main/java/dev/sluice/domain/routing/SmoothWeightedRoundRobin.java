package dev.sluice.domain.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * nginx's smooth weighted round robin over one group of backends (those of equal priority):
 * each pick adds every eligible member's weight to its running score, takes the highest, and
 * subtracts the eligible total from the winner. Deterministic, exact over a cycle, and without
 * bursts (weights 5,1,1 give a a b a c a a, not a a a a a b c). Ineligible members (cooling
 * down, already tried) neither win nor accumulate, so the shares among the eligible ones stay exact.
 * Thread-safe; picks are short and uncontended in practice.
 */
public final class SmoothWeightedRoundRobin {
    private final Map<UUID, Long> scores = new HashMap<>();

    /** A member of the group: an id that keeps its score across configuration reloads, and a weight ≥ 1. */
    public interface Member {
        UUID memberId();

        int weight();
    }

    /** Picks one eligible member, or null when none is eligible. */
    public synchronized <T extends Member> T pick(List<T> members, Predicate<? super T> eligible) {
        Objects.requireNonNull(members, "members");
        T best = null;
        long bestScore = Long.MIN_VALUE;
        long total = 0;
        for (T member : members) {
            if (!eligible.test(member)) {
                continue;
            }
            int weight = Math.max(1, member.weight());
            long score = scores.getOrDefault(member.memberId(), 0L) + weight;
            scores.put(member.memberId(), score);
            total += weight;
            if (score > bestScore) {
                bestScore = score;
                best = member;
            }
        }
        if (best != null) {
            scores.put(best.memberId(), bestScore - total);
        }
        return best;
    }
}
