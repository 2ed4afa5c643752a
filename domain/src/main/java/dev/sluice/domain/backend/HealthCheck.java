package dev.sluice.domain.backend;

import java.time.Duration;
import java.util.Objects;

/** An active health check: {@code GET {baseUrl}{path}} every {@code interval}; a 2xx within {@code timeout} is healthy. */
public record HealthCheck(boolean enabled, String path, Duration interval, Duration timeout) {
    public static final String DEFAULT_PATH = "/models";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public static HealthCheck disabled() {
        return new HealthCheck(false, DEFAULT_PATH, DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
    }

    public HealthCheck {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
    }
}
