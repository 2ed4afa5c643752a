package dev.sluice.domain.backend;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An upstream LLM server speaking the OpenAI API. {@code baseUrl} includes the API prefix
 * (for example {@code https://api.openai.com/v1}); the gateway appends {@code /chat/completions}.
 */
public record Backend(
        UUID id,
        String name,
        String baseUrl,
        Optional<Secret> apiKey,
        int priority,
        int weight,
        int timeoutMs,
        boolean enabled,
        Map<String, String> headers,
        List<ModelMapping> models,
        BackendOptions options) {

    public static final int DEFAULT_PRIORITY = 1;
    public static final int DEFAULT_WEIGHT = 10;
    public static final int DEFAULT_TIMEOUT_MS = 60_000;

    public Backend {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        apiKey = apiKey == null ? Optional.empty() : apiKey;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        models = models == null ? List.of() : List.copyOf(models);
        baseUrl = stripTrailingSlash(baseUrl);
        options = options == null ? BackendOptions.defaults() : options;
    }

    /** A backend with the default options (retry 2, both request kinds, no context limit, no health check). */
    public Backend(UUID id, String name, String baseUrl, Optional<Secret> apiKey, int priority, int weight, int timeoutMs,
                   boolean enabled, Map<String, String> headers, List<ModelMapping> models) {
        this(id, name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models, BackendOptions.defaults());
    }

    public Backend withOptions(BackendOptions newOptions) {
        return new Backend(id, name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models, newOptions);
    }

    /**
     * The headers every request to this backend carries: its extra headers (names lower-cased) and
     * its own key as {@code Authorization: Bearer}. A fresh map the caller may add to.
     */
    public Map<String, String> requestHeaders() {
        Map<String, String> out = new HashMap<>(headers.size() + 4);
        headers.forEach((name, value) -> out.put(name.toLowerCase(Locale.ROOT), value));
        out.remove("authorization");
        apiKey.ifPresent(key -> out.put("authorization", "Bearer " + key.reveal()));
        return out;
    }

    public Optional<ModelMapping> model(String publicName) {
        for (ModelMapping m : models) {
            if (m.name().equals(publicName)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static String stripTrailingSlash(String url) {
        String u = url;
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
