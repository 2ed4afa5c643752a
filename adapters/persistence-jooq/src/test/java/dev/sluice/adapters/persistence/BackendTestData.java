package dev.sluice.adapters.persistence;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Backends for tests: sensible defaults, and only what a test cares about spelled out. */
final class BackendTestData {
    private UUID id = UUID.randomUUID();
    private String name = "backend-" + id.toString().substring(0, 8);
    private String baseUrl = "http://127.0.0.1:8000/v1";
    private Optional<Secret> apiKey = Optional.of(Secret.of("sk-test-0123456789abcdef"));
    private int priority = Backend.DEFAULT_PRIORITY;
    private int weight = Backend.DEFAULT_WEIGHT;
    private int timeoutMs = Backend.DEFAULT_TIMEOUT_MS;
    private boolean enabled = true;
    private Map<String, String> headers = Map.of();
    private List<ModelMapping> models = List.of(new ModelMapping("gpt-4o", "gpt-4o-2024-08-06"));

    private BackendTestData() {
    }

    static BackendTestData aBackend() {
        return new BackendTestData();
    }

    static BackendTestData from(Backend backend) {
        BackendTestData data = new BackendTestData();
        data.id = backend.id();
        data.name = backend.name();
        data.baseUrl = backend.baseUrl();
        data.apiKey = backend.apiKey();
        data.priority = backend.priority();
        data.weight = backend.weight();
        data.timeoutMs = backend.timeoutMs();
        data.enabled = backend.enabled();
        data.headers = backend.headers();
        data.models = backend.models();
        return data;
    }

    BackendTestData withName(String name) {
        this.name = name;
        return this;
    }

    BackendTestData withBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
        return this;
    }

    BackendTestData withApiKey(String apiKey) {
        this.apiKey = Optional.of(Secret.of(apiKey));
        return this;
    }

    BackendTestData withoutApiKey() {
        this.apiKey = Optional.empty();
        return this;
    }

    BackendTestData withPriority(int priority) {
        this.priority = priority;
        return this;
    }

    BackendTestData withWeight(int weight) {
        this.weight = weight;
        return this;
    }

    BackendTestData withTimeoutMs(int timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
    }

    BackendTestData disabled() {
        this.enabled = false;
        return this;
    }

    BackendTestData withHeaders(Map<String, String> headers) {
        this.headers = headers;
        return this;
    }

    BackendTestData withModels(ModelMapping... models) {
        this.models = List.of(models);
        return this;
    }

    Backend build() {
        return new Backend(id, name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers, models);
    }
}
