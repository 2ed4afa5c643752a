package dev.sluice.domain.app;

import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.PriorityClass;
import dev.sluice.domain.quota.Quota;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an app may use: its rate limits (rpm, tpm, maxConcurrent), how long its requests may
 * wait in the queue, its priority class there, an output cap, and a quota.
 */
public record AppPolicy(Limits limits, Optional<Duration> maxWait, PriorityClass priority, OptionalInt maxOutputTokens,
                        Optional<Quota> quota) {
    public static final AppPolicy DEFAULT = new AppPolicy(Limits.NONE, Optional.empty(), PriorityClass.NORMAL,
            OptionalInt.empty(), Optional.empty());

    public AppPolicy {
        limits = limits == null ? Limits.NONE : limits;
        maxWait = maxWait == null ? Optional.empty() : maxWait;
        priority = priority == null ? PriorityClass.NORMAL : priority;
        maxOutputTokens = maxOutputTokens == null ? OptionalInt.empty() : maxOutputTokens;
        quota = quota == null ? Optional.empty() : quota;
    }
}
