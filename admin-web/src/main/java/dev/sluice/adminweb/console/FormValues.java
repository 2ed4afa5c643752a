package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.QuotaDto;
import io.micronaut.core.annotation.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reading a submitted form's inputs into the admin API's JSON values, shared by the console's
 * forms: blank is "not set", a number that is not one is an error named after its input.
 */
final class FormValues {

    private FormValues() {
    }

    static Optional<Long> number(Map<String, String> form, String field, Map<String, String> errors) {
        String raw = form.get(field);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(raw.strip().replace("_", "").replace(",", "")));
        } catch (NumberFormatException e) {
            errors.put(field, "must be a whole number");
            return Optional.empty();
        }
    }

    static Optional<Double> decimal(Map<String, String> form, String field, Map<String, String> errors) {
        String raw = form.get(field);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Double.parseDouble(raw.strip()));
        } catch (NumberFormatException e) {
            errors.put(field, "must be a number");
            return Optional.empty();
        }
    }

    static @Nullable String text(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static void put(Map<String, String> values, String key, @Nullable Object value) {
        if (value != null) {
            values.put(key, value.toString());
        }
    }

    /** The inputs {@code quota.*}: the API's quota object, or empty when none of them is filled. */
    static Optional<Map<String, Object>> quota(Map<String, String> form, Map<String, String> errors) {
        Map<String, Object> quota = new LinkedHashMap<>();
        number(form, "quota.requestsPerPeriod", errors).ifPresent(n -> quota.put("requestsPerPeriod", n));
        number(form, "quota.tokensPerPeriod", errors).ifPresent(n -> quota.put("tokensPerPeriod", n));
        String cron = text(form.get("quota.periodCron"));
        if (quota.isEmpty() && cron == null) {
            return Optional.empty();
        }
        quota.put("periodCron", cron);
        String zone = text(form.get("quota.timeZone"));
        quota.put("timeZone", zone == null ? "UTC" : zone);
        return Optional.of(quota);
    }

    /** Fills the inputs {@code quota.*} from a stored quota (time zone UTC when there is none). */
    static void putQuota(Map<String, String> values, @Nullable QuotaDto quota) {
        if (quota == null) {
            values.put("quota.timeZone", "UTC");
            return;
        }
        put(values, "quota.requestsPerPeriod", quota.requestsPerPeriod());
        put(values, "quota.tokensPerPeriod", quota.tokensPerPeriod());
        put(values, "quota.periodCron", quota.periodCron());
        put(values, "quota.timeZone", quota.timeZone());
    }
}
