package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.UsageDto;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The top entries of one dimension (apps, models) of a usage series, by tokens then requests. */
final class UsageRanking {

    /** One ranked name with its sums and its share of all tokens (0–100). */
    record Entry(String name, long requests, long errors, long tokens, long share) {
    }

    private UsageRanking() {
    }

    static List<Entry> top(UsageDto usage, Function<UsageDto.Point, String> dimension, int limit) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        long allTokens = 0;
        for (UsageDto.Point p : usage.points()) {
            String name = dimension.apply(p);
            long[] s = sums.computeIfAbsent(name == null ? "(none)" : name, k -> new long[3]);
            s[0] += p.requests();
            s[1] += p.errors();
            s[2] += p.totalTokens();
            allTokens += p.totalTokens();
        }
        long total = allTokens;
        return sums.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2],
                        total == 0 ? 0 : Math.round(100.0 * e.getValue()[2] / total)))
                .sorted(Comparator.comparingLong(Entry::tokens).reversed()
                        .thenComparing(Comparator.comparingLong(Entry::requests).reversed())
                        .thenComparing(Entry::name))
                .limit(limit)
                .toList();
    }
}
