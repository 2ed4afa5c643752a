package dev.sluice.domain.routing;

import java.time.Duration;

/** Intent-named breaker settings: {@code breakerSettings().trippingAfterConsecutive(3).build()}. */
final class CircuitBreakerTestData {
    private CircuitBreakerTestData() {
    }

    /** Defaults that never trip on ratio unless asked: only consecutive failures matter. */
    static Builder breakerSettings() {
        return new Builder();
    }

    static final class Builder {
        private int consecutiveFailures = 1_000;
        private double failureRatio = 1.0;
        private int minimumRequests = 1_000;
        private Duration window = Duration.ofSeconds(10);
        private Duration baseCooldown = Duration.ofSeconds(1);
        private Duration maxCooldown = Duration.ofSeconds(8);

        Builder trippingAfterConsecutive(int failures) {
            this.consecutiveFailures = failures;
            return this;
        }

        Builder trippingAtRatio(double ratio, int minimumRequests) {
            this.failureRatio = ratio;
            this.minimumRequests = minimumRequests;
            return this;
        }

        Builder overWindow(Duration window) {
            this.window = window;
            return this;
        }

        Builder coolingDown(Duration base, Duration max) {
            this.baseCooldown = base;
            this.maxCooldown = max;
            return this;
        }

        CircuitBreaker.Settings build() {
            return new CircuitBreaker.Settings(consecutiveFailures, failureRatio, minimumRequests, window,
                    baseCooldown, maxCooldown);
        }
    }
}
