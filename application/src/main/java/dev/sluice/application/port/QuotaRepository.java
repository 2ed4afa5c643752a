package dev.sluice.application.port;

import java.time.Instant;
import java.util.List;

/** Where quota counters are kept so that they survive a restart. */
public interface QuotaRepository {
    /** One scope's use in one period. */
    record QuotaUsage(String scope, Instant periodStart, Instant periodEnd, long requests, long tokens) {
    }

    /** The stored counters whose period has not ended at {@code now}. */
    List<QuotaUsage> findCurrent(Instant now);

    /** Stores the counters (insert or replace by scope and period). */
    void save(List<QuotaUsage> usage);
}
