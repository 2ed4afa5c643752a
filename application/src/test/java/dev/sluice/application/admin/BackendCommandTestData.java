package dev.sluice.application.admin;

import dev.sluice.domain.backend.ModelMapping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Backend commands as an operator would send them: {@code aBackendCommand().named("b").withPriority(2).build()}. */
final class BackendCommandTestData {
    private BackendCommandTestData() {
    }

    static Builder aBackendCommand() {
        return new Builder();
    }

    static final class Builder {
        private String name = "primary";
        private String baseUrl = "https://api.example.test/v1";
        private Optional<String> apiKey = Optional.empty();
        private Integer priority;
        private Integer weight;
        private Integer timeoutMs;
        private Boolean enabled;
        private Map<String, String> headers = new LinkedHashMap<>();
        private List<ModelMapping> models = new ArrayList<>(List.of(new ModelMapping("gpt-4o", "gpt-4o-2024-08-06")));

        Builder named(String name) {
            this.name = name;
            return this;
        }

        Builder withBaseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        Builder withApiKey(String apiKey) {
            this.apiKey = Optional.of(apiKey);
            return this;
        }

        Builder withoutApiKeyField() {
            this.apiKey = Optional.empty();
            return this;
        }

        Builder withPriority(Integer priority) {
            this.priority = priority;
            return this;
        }

        Builder withWeight(Integer weight) {
            this.weight = weight;
            return this;
        }

        Builder withTimeoutMs(Integer timeoutMs) {
            this.timeoutMs = timeoutMs;
            return this;
        }

        Builder disabled() {
            this.enabled = false;
            return this;
        }

        Builder withHeader(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Builder withHeaders(Map<String, String> headers) {
            this.headers = headers;
            return this;
        }

        Builder servingModels(ModelMapping... models) {
            this.models = models == null ? null : new ArrayList<>(Arrays.asList(models));
            return this;
        }

        BackendCommand build() {
            return new BackendCommand(name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models);
        }
    }
}
