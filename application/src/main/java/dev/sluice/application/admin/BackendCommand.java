package dev.sluice.application.admin;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendOptions;
import dev.sluice.domain.backend.HealthCheck;
import dev.sluice.domain.backend.ModelMapping;

import java.net.URI;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import dev.sluice.domain.limits.Limits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields of a backend as an operator sends them. Absent optional fields take their defaults;
 * an absent {@code apiKey} on an update keeps the stored key, an empty one removes it.
 * The compact constructor checks every field and reports all the bad ones at once.
 */
public record BackendCommand(
        String name,
        String baseUrl,
        Optional<String> apiKey,
        Integer priority,
        Integer weight,
        Integer timeoutMs,
        Boolean enabled,
        Map<String, String> headers,
        List<ModelMapping> models,
        BackendOptionsCommand options) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "authorization", "host", "content-length", "content-type", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "accept");

    public BackendCommand {
        apiKey = apiKey == null ? Optional.empty() : apiKey;
        options = options == null ? BackendOptionsCommand.DEFAULTS : options;
        // copied only once valid: Map.copyOf and List.copyOf reject the nulls that must be reported as field errors
        Map<String, String> givenHeaders = headers == null ? Map.of() : headers;
        List<FieldError> errors = new ArrayList<>();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "is required"));
        } else if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1-100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit"));
        }
        if (baseUrl == null || baseUrl.isBlank()) {
            errors.add(new FieldError("baseUrl", "is required"));
        } else if (!isHttpUrl(baseUrl)) {
            errors.add(new FieldError("baseUrl", "must be an absolute http:// or https:// URL with a host"));
        }
        if (apiKey.isPresent() && apiKey.get().length() > 4096) {
            errors.add(new FieldError("apiKey", "must be at most 4096 characters"));
        }
        if (priority != null && (priority < 0 || priority > 1_000_000)) {
            errors.add(new FieldError("priority", "must be between 0 and 1000000 (lower is preferred)"));
        }
        if (weight != null && (weight < 1 || weight > 1_000_000)) {
            errors.add(new FieldError("weight", "must be between 1 and 1000000"));
        }
        if (timeoutMs != null && (timeoutMs < 1 || timeoutMs > 3_600_000)) {
            errors.add(new FieldError("timeoutMs", "must be between 1 and 3600000"));
        }
        givenHeaders.forEach((header, value) -> {
            if (!HEADER_NAME.matcher(header).matches()) {
                errors.add(new FieldError("headers." + header, "is not a valid HTTP header name"));
            } else if (RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                errors.add(new FieldError("headers." + header, "is set by the gateway and cannot be overridden"));
            } else if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                errors.add(new FieldError("headers." + header, "must be a single-line string"));
            }
        });
        if (models == null || models.isEmpty()) {
            errors.add(new FieldError("models", "must list at least one model"));
            models = List.of();
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < models.size(); i++) {
                ModelMapping m = models.get(i);
                if (m == null || m.name() == null || m.name().isBlank()) {
                    errors.add(new FieldError("models[" + i + "].name", "is required"));
                } else if (m.name().length() > 200) {
                    errors.add(new FieldError("models[" + i + "].name", "must be at most 200 characters"));
                } else if (m.upstreamModel().length() > 200) {
                    errors.add(new FieldError("models[" + i + "].upstreamModel", "must be at most 200 characters"));
                } else if (!seen.add(m.name())) {
                    errors.add(new FieldError("models[" + i + "].name", "is listed twice"));
                }
            }
        }
        checkOptions(options, errors);
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        headers = Map.copyOf(givenHeaders);
        models = List.copyOf(models);
    }

    /** A backend command with the default options. */
    public BackendCommand(String name, String baseUrl, Optional<String> apiKey, Integer priority, Integer weight,
                          Integer timeoutMs, Boolean enabled, Map<String, String> headers, List<ModelMapping> models) {
        this(name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models, BackendOptionsCommand.DEFAULTS);
    }

    private static void checkOptions(BackendOptionsCommand o, List<FieldError> errors) {
        if (o.retry() != null && (o.retry() < 0 || o.retry() > 10)) {
            errors.add(new FieldError("retry", "must be between 0 and 10"));
        }
        if (Boolean.FALSE.equals(o.streamSupport()) && Boolean.FALSE.equals(o.nonStreamSupport())) {
            errors.add(new FieldError("streamSupport", "and nonStreamSupport cannot both be false"));
        }
        if (o.maxContextTokens() != null && o.maxContextTokens() < 1) {
            errors.add(new FieldError("maxContextTokens", "must be at least 1"));
        }
        if (o.healthCheckPath() != null && (o.healthCheckPath().isBlank() || o.healthCheckPath().length() > 512
                || o.healthCheckPath().contains("://") || o.healthCheckPath().chars().anyMatch(c -> c < 0x21))) {
            errors.add(new FieldError("healthCheck.path", "must be a path such as /models"));
        }
        if (o.healthCheckIntervalMs() != null && (o.healthCheckIntervalMs() < 1000 || o.healthCheckIntervalMs() > 86_400_000)) {
            errors.add(new FieldError("healthCheck.intervalMs", "must be between 1000 and 86400000"));
        }
        if (o.healthCheckTimeoutMs() != null && (o.healthCheckTimeoutMs() < 1 || o.healthCheckTimeoutMs() > 600_000)) {
            errors.add(new FieldError("healthCheck.timeoutMs", "must be between 1 and 600000"));
        }
        checkLimit("limits.rpm", o.rpm(), Integer.MAX_VALUE, errors);
        checkLimit("limits.tpm", o.tpm(), Long.MAX_VALUE / 4, errors);
        checkLimit("limits.rpd", o.rpd(), Integer.MAX_VALUE, errors);
        checkLimit("limits.tpr", o.tpr(), Long.MAX_VALUE / 4, errors);
        checkLimit("limits.maxConcurrent", o.maxConcurrent(), 1_000_000, errors);
        checkLimit("maxOutputTokens", o.maxOutputTokens(), Integer.MAX_VALUE, errors);
        if (o.quota() != null) {
            o.quota().toQuota("quota", errors);
        }
    }

    private static void checkLimit(String field, Long value, long max, List<FieldError> errors) {
        if (value != null && (value < 1 || value > max)) {
            errors.add(new FieldError(field, "must be between 1 and " + max + " (omit it for no limit)"));
        }
    }

    private BackendOptions toOptions() {
        BackendOptionsCommand o = options;
        HealthCheck defaults = HealthCheck.disabled();
        return new BackendOptions(
                o.retry() == null ? BackendOptions.DEFAULT_RETRY : o.retry(),
                o.streamSupport() == null || o.streamSupport(),
                o.nonStreamSupport() == null || o.nonStreamSupport(),
                o.maxContextTokens() == null ? OptionalInt.empty() : OptionalInt.of(o.maxContextTokens()),
                new HealthCheck(Boolean.TRUE.equals(o.healthCheckEnabled()),
                        o.healthCheckPath() == null ? defaults.path() : o.healthCheckPath(),
                        o.healthCheckIntervalMs() == null ? defaults.interval() : Duration.ofMillis(o.healthCheckIntervalMs()),
                        o.healthCheckTimeoutMs() == null ? defaults.timeout() : Duration.ofMillis(o.healthCheckTimeoutMs())),
                new Limits(o.rpm() == null ? OptionalInt.empty() : OptionalInt.of(o.rpm().intValue()),
                        o.tpm() == null ? OptionalLong.empty() : OptionalLong.of(o.tpm()),
                        o.rpd() == null ? OptionalInt.empty() : OptionalInt.of(o.rpd().intValue()),
                        o.tpr() == null ? OptionalLong.empty() : OptionalLong.of(o.tpr()),
                        o.maxConcurrent() == null ? OptionalInt.empty() : OptionalInt.of(o.maxConcurrent().intValue())),
                o.maxOutputTokens() == null ? OptionalInt.empty() : OptionalInt.of(o.maxOutputTokens().intValue()),
                o.quota() == null ? Optional.empty() : o.quota().toQuota("quota", new ArrayList<>()));
    }

    Backend toBackend(java.util.UUID id, Optional<dev.sluice.domain.backend.Secret> storedKey) {
        Optional<dev.sluice.domain.backend.Secret> key = apiKey.isPresent()
                ? apiKey.filter(k -> !k.isEmpty()).map(dev.sluice.domain.backend.Secret::of)
                : storedKey;
        return new Backend(id, name, baseUrl, key,
                priority == null ? Backend.DEFAULT_PRIORITY : priority,
                weight == null ? Backend.DEFAULT_WEIGHT : weight,
                timeoutMs == null ? Backend.DEFAULT_TIMEOUT_MS : timeoutMs,
                enabled == null || enabled,
                headers, models, toOptions());
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                    && uri.getHost() != null && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "BackendCommand[" + name + ", " + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "[redacted]" : "absent") + "]";
    }
}
