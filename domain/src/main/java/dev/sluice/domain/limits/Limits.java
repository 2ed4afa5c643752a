package dev.sluice.domain.limits;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Rate limits of a backend or an app; every one optional.
 *
 * @param rpm            requests per minute (sliding)
 * @param tpm            tokens per minute (sliding; a request reserves its estimate, settled to the real usage)
 * @param rpd            requests per day (sliding 24 h)
 * @param tpr            tokens in one request (prompt + expected output); larger requests never go there
 * @param maxConcurrent  requests in flight at once
 */
public record Limits(OptionalInt rpm, OptionalLong tpm, OptionalInt rpd, OptionalLong tpr, OptionalInt maxConcurrent) {
    public static final Limits NONE = new Limits(OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(),
            OptionalLong.empty(), OptionalInt.empty());

    public Limits {
        rpm = rpm == null ? OptionalInt.empty() : rpm;
        tpm = tpm == null ? OptionalLong.empty() : tpm;
        rpd = rpd == null ? OptionalInt.empty() : rpd;
        tpr = tpr == null ? OptionalLong.empty() : tpr;
        maxConcurrent = maxConcurrent == null ? OptionalInt.empty() : maxConcurrent;
        if (rpm.orElse(1) < 1 || tpm.orElse(1) < 1 || rpd.orElse(1) < 1 || tpr.orElse(1) < 1 || maxConcurrent.orElse(1) < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public boolean isEmpty() {
        return rpm.isEmpty() && tpm.isEmpty() && rpd.isEmpty() && tpr.isEmpty() && maxConcurrent.isEmpty();
    }
}
