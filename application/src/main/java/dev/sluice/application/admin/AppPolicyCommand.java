package dev.sluice.application.admin;

import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.PriorityClass;
import dev.sluice.domain.quota.Quota;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** An app's limits as an operator sends them; absent fields mean no limit / the gateway default. */
public record AppPolicyCommand(Long rpm, Long tpm, Long maxConcurrent, Double maxWaitSeconds, String priority,
                               Long maxOutputTokens, QuotaCommand quota) {

    /** Checks every field (throws {@link InvalidFieldsException} naming each bad one). */
    public void toPolicyForValidation() {
        toPolicy();
    }

    AppPolicy toPolicy() {
        List<FieldError> errors = new ArrayList<>();
        check("rpm", rpm, Integer.MAX_VALUE, errors);
        check("tpm", tpm, Long.MAX_VALUE / 4, errors);
        check("maxConcurrent", maxConcurrent, 1_000_000, errors);
        check("maxOutputTokens", maxOutputTokens, Integer.MAX_VALUE, errors);
        if (maxWaitSeconds != null && (maxWaitSeconds < 0 || maxWaitSeconds > 3600)) {
            errors.add(new FieldError("maxWaitSeconds", "must be between 0 and 3600"));
        }
        Optional<PriorityClass> priorityClass = priority == null ? Optional.of(PriorityClass.NORMAL) : PriorityClass.parse(priority);
        if (priorityClass.isEmpty()) {
            errors.add(new FieldError("priority", "must be high, normal or low"));
        }
        Optional<Quota> q = quota == null ? Optional.empty() : quota.toQuota("quota", errors);
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        Limits limits = new Limits(rpm == null ? OptionalInt.empty() : OptionalInt.of(rpm.intValue()),
                tpm == null ? OptionalLong.empty() : OptionalLong.of(tpm), OptionalInt.empty(), OptionalLong.empty(),
                maxConcurrent == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrent.intValue()));
        return new AppPolicy(limits,
                maxWaitSeconds == null ? Optional.empty() : Optional.of(Duration.ofMillis((long) (maxWaitSeconds * 1000))),
                priorityClass.get(), maxOutputTokens == null ? OptionalInt.empty() : OptionalInt.of(maxOutputTokens.intValue()), q);
    }

    private static void check(String field, Long value, long max, List<FieldError> errors) {
        if (value != null && (value < 1 || value > max)) {
            errors.add(new FieldError(field, "must be between 1 and " + max + " (omit it for no limit)"));
        }
    }
}
