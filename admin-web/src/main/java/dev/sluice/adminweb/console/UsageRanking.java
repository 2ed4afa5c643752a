package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.UsageDto;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Sums of a usage series per name of one dimension (apps, models), and its top entries by tokens then requests. */
final class UsageRanking {

    /** One ranked name with its sums and its share of all tokens (0–100). */
    record Entry(String name, long requests, long errors, long tokens, long share) {
    }

    private UsageRanking() {
    }

    /** The series' sums per name of {@code dimension}. */
    static Map<String, UsageDto.Totals> totalsBy(UsageDto usage, Function<UsageDto.Point, String> dimension) {
        Map<String, UsageDto.Totals> sums = new LinkedHashMap<>();
        for (UsageDto.Point p : usage.points()) {
            String name = dimension.apply(p);
            sums.merge(name == null ? "(none)" : name,
                    new UsageDto.Totals(p.requests(), p.errors(), p.promptTokens(), p.completionTokens(), p.totalTokens()),
                    (a, b) -> new UsageDto.Totals(a.requests() + b.requests(), a.errors() + b.errors(),
                            a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens(),
                            a.totalTokens() + b.totalTokens()));
        }
        return sums;
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
