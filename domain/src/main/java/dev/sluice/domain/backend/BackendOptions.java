package dev.sluice.domain.backend;

import dev.sluice.domain.limits.Limits;

import dev.sluice.domain.quota.Quota;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the gateway treats a backend beyond where it is: retries, what it can do, and how its
 * health is checked.
 *
 * @param retry             retries of the same backend after a 5xx or a broken connection before switching
 * @param streamSupport     false: the backend cannot stream; stream requests are sent non-streamed and replayed as SSE
 * @param nonStreamSupport  false: the backend only streams; non-stream requests are streamed and aggregated
 * @param maxContextTokens  requests whose prompt is longer skip this backend
 * @param healthCheck       the optional active health check
 * @param limits            rate limits (rpm, tpm, rpd, tpr, maxConcurrent); requests over them wait in the queue
 * @param maxOutputTokens   output cap: max_tokens of a request is capped, a stream is cut when it reaches it
 * @param quota             requests and tokens per cron period; a backend whose quota is spent is skipped
 */
public record BackendOptions(int retry, boolean streamSupport, boolean nonStreamSupport, OptionalInt maxContextTokens,
                             HealthCheck healthCheck, Limits limits, OptionalInt maxOutputTokens, Optional<Quota> quota) {
    public static final int DEFAULT_RETRY = 2;

    public static BackendOptions defaults() {
        return new BackendOptions(DEFAULT_RETRY, true, true, OptionalInt.empty(), HealthCheck.disabled(), Limits.NONE,
                OptionalInt.empty(), Optional.empty());
    }

    /** Options with limits but no output cap or quota. */
    public BackendOptions(int retry, boolean streamSupport, boolean nonStreamSupport, OptionalInt maxContextTokens,
                          HealthCheck healthCheck, Limits limits) {
        this(retry, streamSupport, nonStreamSupport, maxContextTokens, healthCheck, limits, OptionalInt.empty(), Optional.empty());
    }

    /** Options without rate limits. */
    public BackendOptions(int retry, boolean streamSupport, boolean nonStreamSupport, OptionalInt maxContextTokens,
                          HealthCheck healthCheck) {
        this(retry, streamSupport, nonStreamSupport, maxContextTokens, healthCheck, Limits.NONE);
    }

    public BackendOptions withLimits(Limits newLimits) {
        return new BackendOptions(retry, streamSupport, nonStreamSupport, maxContextTokens, healthCheck, newLimits,
                maxOutputTokens, quota);
    }

    public BackendOptions withOutputCapAndQuota(OptionalInt newMaxOutputTokens, Optional<Quota> newQuota) {
        return new BackendOptions(retry, streamSupport, nonStreamSupport, maxContextTokens, healthCheck, limits,
                newMaxOutputTokens, newQuota);
    }

    public BackendOptions {
        if (retry < 0) {
            throw new IllegalArgumentException("retry cannot be negative");
        }
        if (!streamSupport && !nonStreamSupport) {
            throw new IllegalArgumentException("a backend must support streamed or non-streamed requests");
        }
        maxContextTokens = maxContextTokens == null ? OptionalInt.empty() : maxContextTokens;
        healthCheck = healthCheck == null ? HealthCheck.disabled() : healthCheck;
        limits = limits == null ? Limits.NONE : limits;
        maxOutputTokens = maxOutputTokens == null ? OptionalInt.empty() : maxOutputTokens;
        quota = quota == null ? Optional.empty() : quota;
    }
}
