package dev.sluice.application.admin;

/**
 * The optional backend settings as an operator sends them; nulls take the defaults (retry 2,
 * both request kinds supported, no context limit, health check off; when on: path /models,
 * every 30 s, 5 s timeout).
 */
public record BackendOptionsCommand(Integer retry, Boolean streamSupport, Boolean nonStreamSupport,
                                    Integer maxContextTokens, Boolean healthCheckEnabled, String healthCheckPath,
                                    Integer healthCheckIntervalMs, Integer healthCheckTimeoutMs,
                                    Long rpm, Long tpm, Long rpd, Long tpr, Long maxConcurrent, Long maxOutputTokens,
                                    QuotaCommand quota) {
    public static final BackendOptionsCommand DEFAULTS = new BackendOptionsCommand(null, null, null, null, null, null, null, null);

    /** Options without rate limits. */
    public BackendOptionsCommand(Integer retry, Boolean streamSupport, Boolean nonStreamSupport, Integer maxContextTokens,
                                 Boolean healthCheckEnabled, String healthCheckPath, Integer healthCheckIntervalMs,
                                 Integer healthCheckTimeoutMs) {
        this(retry, streamSupport, nonStreamSupport, maxContextTokens, healthCheckEnabled, healthCheckPath,
                healthCheckIntervalMs, healthCheckTimeoutMs, null, null, null, null, null, null, null);
    }
}
