package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.BackendDto;
import dev.sluice.adminweb.api.ModelDto;
import io.micronaut.core.annotation.Nullable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.adminweb.console.FormValues.number;
import static dev.sluice.adminweb.console.FormValues.put;
import static dev.sluice.adminweb.console.FormValues.text;

/**
 * The backend form: its inputs (named after the admin API's fields, nested ones with dots:
 * {@code limits.rpm}), read into the API's JSON body, and filled from a stored backend. Numbers
 * that are not numbers are caught here and named like the API names them. The API key is never
 * written back into the form.
 */
final class BackendForm {

    static final List<String> INTEGERS = List.of("priority", "weight", "timeoutMs", "retry", "maxContextTokens",
            "maxOutputTokens", "healthCheck.intervalMs", "healthCheck.timeoutMs", "limits.rpm", "limits.tpm",
            "limits.rpd", "limits.tpr", "limits.maxConcurrent", "quota.requestsPerPeriod", "quota.tokensPerPeriod");
    static final List<String> FLAGS = List.of("enabled", "streamSupport", "nonStreamSupport", "healthCheck.enabled");

    /** The body for the API and the problems found before sending it. */
    record Parsed(Map<String, Object> body, Map<String, String> errors) {
    }

    private BackendForm() {
    }

    /** The form's values for a new backend: the API's defaults. */
    static Map<String, String> defaults() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("priority", "1");
        v.put("weight", "10");
        v.put("timeoutMs", "60000");
        v.put("retry", "2");
        v.put("enabled", "true");
        v.put("streamSupport", "true");
        v.put("nonStreamSupport", "true");
        v.put("healthCheck.path", "/models");
        v.put("healthCheck.intervalMs", "30000");
        v.put("healthCheck.timeoutMs", "5000");
        v.put("quota.timeZone", "UTC");
        return v;
    }

    /** The form's values for a stored backend. */
    static Map<String, String> of(BackendDto b) {
        Map<String, String> v = new LinkedHashMap<>();
        put(v, "name", b.name());
        put(v, "baseUrl", b.baseUrl());
        put(v, "priority", b.priority());
        put(v, "weight", b.weight());
        put(v, "timeoutMs", b.timeoutMs());
        put(v, "retry", b.retry());
        put(v, "maxContextTokens", b.maxContextTokens());
        put(v, "maxOutputTokens", b.maxOutputTokens());
        v.put("enabled", String.valueOf(Boolean.TRUE.equals(b.enabled())));
        v.put("streamSupport", String.valueOf(!Boolean.FALSE.equals(b.streamSupport())));
        v.put("nonStreamSupport", String.valueOf(!Boolean.FALSE.equals(b.nonStreamSupport())));
        StringBuilder headers = new StringBuilder();
        if (b.headers() != null) {
            b.headers().forEach((k, val) -> headers.append(k).append(": ").append(val).append('\n'));
        }
        v.put("headers", headers.toString().strip());
        StringBuilder models = new StringBuilder();
        if (b.models() != null) {
            for (ModelDto m : b.models()) {
                models.append(m.name());
                if (m.upstreamModel() != null && !m.upstreamModel().equals(m.name())) {
                    models.append(" = ").append(m.upstreamModel());
                }
                models.append('\n');
            }
        }
        v.put("models", models.toString().strip());
        if (b.healthCheck() != null) {
            v.put("healthCheck.enabled", String.valueOf(Boolean.TRUE.equals(b.healthCheck().enabled())));
            put(v, "healthCheck.path", b.healthCheck().path());
            put(v, "healthCheck.intervalMs", b.healthCheck().intervalMs());
            put(v, "healthCheck.timeoutMs", b.healthCheck().timeoutMs());
        }
        if (b.limits() != null) {
            put(v, "limits.rpm", b.limits().rpm());
            put(v, "limits.tpm", b.limits().tpm());
            put(v, "limits.rpd", b.limits().rpd());
            put(v, "limits.tpr", b.limits().tpr());
            put(v, "limits.maxConcurrent", b.limits().maxConcurrent());
        }
        FormValues.putQuota(v, b.quota());
        return v;
    }

    /**
     * Reads a submitted form. Unticked checkboxes are absent, so flags are false unless sent;
     * {@code apiKey} is sent only when typed (or as "" when {@code removeApiKey} is ticked).
     */
    static Parsed parse(Map<String, String> form) {
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", text(form.get("name")));
        body.put("baseUrl", text(form.get("baseUrl")));
        String apiKey = form.get("apiKey");
        if ("true".equals(form.get("removeApiKey"))) {
            body.put("apiKey", "");
        } else if (apiKey != null && !apiKey.isBlank()) {
            body.put("apiKey", apiKey.strip());
        }
        for (String flag : List.of("enabled", "streamSupport", "nonStreamSupport")) {
            body.put(flag, "true".equals(form.get(flag)));
        }
        for (String field : List.of("priority", "weight", "timeoutMs", "retry", "maxContextTokens", "maxOutputTokens")) {
            number(form, field, errors).ifPresent(n -> body.put(field, n));
        }
        body.put("headers", headers(form.get("headers"), errors));
        body.put("models", models(form.get("models")));
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("enabled", "true".equals(form.get("healthCheck.enabled")));
        String path = text(form.get("healthCheck.path"));
        if (path != null) {
            health.put("path", path);
        }
        number(form, "healthCheck.intervalMs", errors).ifPresent(n -> health.put("intervalMs", n));
        number(form, "healthCheck.timeoutMs", errors).ifPresent(n -> health.put("timeoutMs", n));
        body.put("healthCheck", health);
        Map<String, Object> limits = new LinkedHashMap<>();
        for (String l : List.of("rpm", "tpm", "rpd", "tpr", "maxConcurrent")) {
            number(form, "limits." + l, errors).ifPresent(n -> limits.put(l, n));
        }
        body.put("limits", limits);
        FormValues.quota(form, errors).ifPresent(q -> body.put("quota", q));
        return new Parsed(body, errors);
    }

    /** The submitted values to show again, without the API key. */
    static Map<String, String> resubmitted(Map<String, String> form) {
        Map<String, String> v = new LinkedHashMap<>(form);
        v.remove("apiKey");
        v.remove(ConsolePages.CSRF_FIELD);
        for (String flag : FLAGS) {
            v.put(flag, String.valueOf("true".equals(form.get(flag))));
        }
        return v;
    }

    /**
     * The input an API field error belongs to: {@code models[2].name} → {@code models},
     * {@code headers.X-Org} → {@code headers}; other names are the inputs' own.
     */
    static String input(String apiField) {
        if (apiField.startsWith("models")) {
            return "models";
        }
        if (apiField.startsWith("headers")) {
            return "headers";
        }
        if (apiField.equals("quota")) {
            return "quota.periodCron";
        }
        return apiField;
    }

    private static Map<String, String> headers(@Nullable String text, Map<String, String> errors) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (text == null) {
            return headers;
        }
        int line = 0;
        for (String raw : text.split("\\R")) {
            line++;
            if (raw.isBlank()) {
                continue;
            }
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                errors.putIfAbsent("headers", "line " + line + " must be 'Name: value'");
                continue;
            }
            headers.put(raw.substring(0, colon).strip(), raw.substring(colon + 1).strip());
        }
        return headers;
    }

    private static List<Map<String, String>> models(@Nullable String text) {
        List<Map<String, String>> models = new ArrayList<>();
        if (text == null) {
            return models;
        }
        for (String raw : text.split("[\\n\\r,]+")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq).strip();
            String upstream = eq < 0 ? name : line.substring(eq + 1).strip();
            Map<String, String> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("upstreamModel", upstream.isEmpty() ? name : upstream);
            models.add(m);
        }
        return models;
    }
}
