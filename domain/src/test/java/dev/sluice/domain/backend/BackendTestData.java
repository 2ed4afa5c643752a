package dev.sluice.domain.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Intent-named backends for tests: {@code aBackend().named("b").servingModel("m").build()}. */
public final class BackendTestData {
    private BackendTestData() {
    }

    public static Builder aBackend() {
        return new Builder();
    }

    public static final class Builder {
        private UUID id = UUID.randomUUID();
        private String name = "backend-" + id.toString().substring(0, 8);
        private String baseUrl = "https://llm.example.test/v1";
        private Optional<Secret> apiKey = Optional.empty();
        private int priority = Backend.DEFAULT_PRIORITY;
        private int weight = Backend.DEFAULT_WEIGHT;
        private int timeoutMs = Backend.DEFAULT_TIMEOUT_MS;
        private boolean enabled = true;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<ModelMapping> models = new ArrayList<>();

        public Builder withId(UUID id) {
            this.id = id;
            return this;
        }

        public Builder named(String name) {
            this.name = name;
            return this;
        }

        public Builder withBaseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        public Builder withApiKey(String key) {
            this.apiKey = Optional.of(Secret.of(key));
            return this;
        }

        public Builder withPriority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder withTimeoutMs(int timeoutMs) {
            this.timeoutMs = timeoutMs;
            return this;
        }

        public Builder withHeader(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder servingModel(String publicName) {
            models.add(new ModelMapping(publicName, null));
            return this;
        }

        public Builder servingModel(String publicName, String upstreamModel) {
            models.add(new ModelMapping(publicName, upstreamModel));
            return this;
        }

        public Builder disabled() {
            this.enabled = false;
            return this;
        }

        public Backend build() {
            return new Backend(id, name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models);
        }
    }
}
