package dev.sluice.application.quota;

import dev.sluice.application.port.QuotaRepository;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.quota.QuotaCounter;
import dev.sluice.domain.quota.QuotaPeriod;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The quota counters of every scope ({@code backend:<id>}, {@code app:<id>}) in memory, checked
 * and reserved on the request path without I/O; loaded from the repository at start and stored
 * back every second, so a restart does not reset a quota.
 */
public final class QuotaLedger {
    private static final System.Logger LOG = System.getLogger(QuotaLedger.class.getName());

    private final ConcurrentHashMap<String, QuotaCounter> counters = new ConcurrentHashMap<>();
    private final Map<String, QuotaRepository.QuotaUsage> loaded = new ConcurrentHashMap<>();
    private final Clock clock;

    public QuotaLedger(Clock clock) {
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant();
    }

    public QuotaCounter.Check check(String scope, Quota quota, long estimate) {
        return counter(scope, quota).check(quota, clock.instant(), estimate);
    }

    public QuotaCounter.Reservation reserve(String scope, Quota quota, long estimate) {
        return counter(scope, quota).reserve(quota, clock.instant(), estimate);
    }

    public void settle(String scope, QuotaCounter.Reservation reservation, long actualTokens) {
        QuotaCounter counter = counters.get(scope);
        if (counter != null) {
            counter.settle(reservation, actualTokens);
        }
    }

    public QuotaCounter.Snapshot snapshot(String scope, Quota quota) {
        return counter(scope, quota).snapshot(quota, clock.instant());
    }

    /** Reads the counters of the current periods (at start). */
    public void load(QuotaRepository repository) {
        for (QuotaRepository.QuotaUsage usage : repository.findCurrent(clock.instant())) {
            loaded.put(usage.scope(), usage);
        }
        LOG.log(System.Logger.Level.INFO, "Quota counters loaded: {0}", loaded.size());
    }

    /** Stores what changed since the last call. */
    public int store(QuotaRepository repository) {
        List<QuotaRepository.QuotaUsage> changed = new ArrayList<>();
        counters.forEach((scope, counter) -> {
            QuotaCounter.Snapshot s = counter.takeIfDirty();
            if (s != null) {
                changed.add(new QuotaRepository.QuotaUsage(scope, s.period().start(), s.period().end(), s.requests(), s.tokens()));
            }
        });
        if (!changed.isEmpty()) {
            repository.save(changed);
        }
        return changed.size();
    }

    private QuotaCounter counter(String scope, Quota quota) {
        QuotaCounter existing = counters.get(scope);
        if (existing != null) {
            return existing;
        }
        return counters.computeIfAbsent(scope, s -> {
            QuotaPeriod period = quota.periodAt(clock.instant());
            QuotaRepository.QuotaUsage stored = loaded.remove(s);
            if (stored != null && stored.periodStart().equals(period.start())) {
                return new QuotaCounter(period, stored.requests(), stored.tokens());
            }
            return new QuotaCounter(period, 0, 0);
        });
    }
}
