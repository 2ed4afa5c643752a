package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AppDto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.adminweb.console.FormValues.number;
import static dev.sluice.adminweb.console.FormValues.put;
import static dev.sluice.adminweb.console.FormValues.text;

/**
 * An app's limits form: inputs named after {@code PUT /apps/{id}/limits}'s fields (the quota's
 * with dots: {@code quota.periodCron}), read into its JSON body and filled from a stored app.
 */
final class AppLimitsForm {

    static final List<String> PRIORITIES = List.of("high", "normal", "low");

    private AppLimitsForm() {
    }

    static Map<String, String> of(AppDto app) {
        Map<String, String> v = new LinkedHashMap<>();
        AppDto.Limits l = app.limits();
        if (l == null) {
            v.put("priority", "normal");
            FormValues.putQuota(v, null);
            return v;
        }
        put(v, "rpm", l.rpm());
        put(v, "tpm", l.tpm());
        put(v, "maxConcurrent", l.maxConcurrent());
        put(v, "maxWaitSeconds", l.maxWaitSeconds());
        v.put("priority", l.priority() == null ? "normal" : l.priority());
        put(v, "maxOutputTokens", l.maxOutputTokens());
        FormValues.putQuota(v, l.quota());
        return v;
    }

    static BackendForm.Parsed parse(Map<String, String> form) {
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Object> body = new LinkedHashMap<>();
        for (String field : List.of("rpm", "tpm", "maxConcurrent", "maxOutputTokens")) {
            number(form, field, errors).ifPresent(n -> body.put(field, n));
        }
        FormValues.decimal(form, "maxWaitSeconds", errors).ifPresent(n -> body.put("maxWaitSeconds", n));
        String priority = text(form.get("priority"));
        if (priority != null) {
            body.put("priority", priority);
        }
        FormValues.quota(form, errors).ifPresent(q -> body.put("quota", q));
        return new BackendForm.Parsed(body, errors);
    }

    /** The input an API field error belongs to: the quota object's own error goes next to its schedule. */
    static String input(String apiField) {
        return apiField.equals("quota") ? "quota.periodCron" : apiField;
    }
}
