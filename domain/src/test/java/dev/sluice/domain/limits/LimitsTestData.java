package dev.sluice.domain.limits;

import java.util.OptionalInt;
import java.util.OptionalLong;

/** Intent-named limits: {@code limits().withRpm(2).withTpm(1000).build()}; every limit unset unless a test sets it. */
final class LimitsTestData {
    static final long MINUTE = 60_000L;
    static final long DAY = 86_400_000L;

    private LimitsTestData() {
    }

    static Builder limits() {
        return new Builder();
    }

    static final class Builder {
        private OptionalInt rpm = OptionalInt.empty();
        private OptionalLong tpm = OptionalLong.empty();
        private OptionalInt rpd = OptionalInt.empty();
        private OptionalLong tpr = OptionalLong.empty();
        private OptionalInt maxConcurrent = OptionalInt.empty();

        Builder withRpm(int requests) {
            rpm = OptionalInt.of(requests);
            return this;
        }

        Builder withTpm(long tokens) {
            tpm = OptionalLong.of(tokens);
            return this;
        }

        Builder withRpd(int requests) {
            rpd = OptionalInt.of(requests);
            return this;
        }

        Builder withTpr(long tokens) {
            tpr = OptionalLong.of(tokens);
            return this;
        }

        Builder withMaxConcurrent(int requests) {
            maxConcurrent = OptionalInt.of(requests);
            return this;
        }

        Limits build() {
            return new Limits(rpm, tpm, rpd, tpr, maxConcurrent);
        }

        Limiter limiter() {
            return new Limiter(build());
        }
    }
}
