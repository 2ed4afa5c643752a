package dev.sluice.application.routing;

import dev.sluice.application.port.DelayScheduler;
import dev.sluice.application.port.RateLimitStore;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.quota.QuotaLedger;
import dev.sluice.application.port.TokenCounter;
import dev.sluice.domain.routing.BackendSelector;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.FailoverPolicy;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the proxy needs to choose backends and fail over: the selector (priority, then smooth
 * weighted round robin), backend health, the failover rules, a scheduler for backoff and the
 * request deadline (no thread waits), the deadline bounding all attempts, and a token counter
 * for context limits.
 */
public record Routing(BackendSelector selector, BackendHealth health, FailoverPolicy policy, DelayScheduler scheduler,
                      Duration requestDeadline, TokenCounter tokens, RateLimitStore limits, AdmissionQueue queue,
                      Duration defaultMaxWait, int defaultOutputTokens, QuotaLedger quotas) {
    public Routing {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(requestDeadline, "requestDeadline");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(defaultMaxWait, "defaultMaxWait");
        Objects.requireNonNull(quotas, "quotas");
    }

    /** Routing with limits and the queue but quotas counted in memory only. */
    public Routing(BackendSelector selector, BackendHealth health, FailoverPolicy policy, DelayScheduler scheduler,
                   Duration requestDeadline, TokenCounter tokens, RateLimitStore limits, AdmissionQueue queue,
                   Duration defaultMaxWait, int defaultOutputTokens) {
        this(selector, health, policy, scheduler, requestDeadline, tokens, limits, queue, defaultMaxWait, defaultOutputTokens,
                new QuotaLedger(Clock.systemUTC()));
    }

    /** Routing without rate limits (every request is admitted; nothing waits). */
    public Routing(BackendSelector selector, BackendHealth health, FailoverPolicy policy, DelayScheduler scheduler,
                   Duration requestDeadline, TokenCounter tokens) {
        this(selector, health, policy, scheduler, requestDeadline, tokens, RateLimitStore.UNLIMITED,
                new AdmissionQueue(0, scheduler, Clock.systemUTC()), Duration.ofSeconds(30), DEFAULT_OUTPUT_TOKENS,
                new QuotaLedger(Clock.systemUTC()));
    }

    /** The output tokens a request is assumed to need when it does not say (no max_tokens). */
    public static final int DEFAULT_OUTPUT_TOKENS = 512;

    /** For tests and tools: retries without waiting, no deadline, estimated token counts. */
    public static Routing immediate(Clock clock) {
        return new Routing(new BackendSelector(), new BackendHealth(CircuitBreaker.Settings.defaults(), clock),
                FailoverPolicy.defaults(), (delay, task) -> {
                    task.run();
                    return () -> { };
                }, Duration.ZERO, TokenCounter.ESTIMATE);
    }
}
