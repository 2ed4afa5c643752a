package dev.sluice.application.testing;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendOptions;
import dev.sluice.domain.backend.HealthCheck;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;
import dev.sluice.domain.limits.Limits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Intent-named backends for tests: {@code aBackend().named("b").servingModel("m").build()}. Unless
 * a test sets one, a backend's address is derived from its name, so requests to it can be told apart.
 */
public final class BackendTestData {
    private BackendTestData() {
    }

    public static Builder aBackend() {
        return new Builder();
    }

    public static final class Builder {
        private UUID id = UUID.randomUUID();
        private String name = "backend-" + id.toString().substring(0, 8);
        private String baseUrl;
        private Optional<Secret> apiKey = Optional.empty();
        private int priority = Backend.DEFAULT_PRIORITY;
        private int weight = Backend.DEFAULT_WEIGHT;
        private int timeoutMs = Backend.DEFAULT_TIMEOUT_MS;
        private boolean enabled = true;
        private int retry = BackendOptions.DEFAULT_RETRY;
        private boolean streamSupport = true;
        private boolean nonStreamSupport = true;
        private OptionalInt maxContextTokens = OptionalInt.empty();
        private Limits limits = Limits.NONE;
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

        public Builder withWeight(int weight) {
            this.weight = weight;
            return this;
        }

        /** Retries of this backend after a 5xx or a broken connection before the next one is tried. */
        public Builder withRetry(int retry) {
            this.retry = retry;
            return this;
        }

        /** The backend cannot stream: stream requests are sent to it non-streamed. */
        public Builder withoutStreamSupport() {
            this.streamSupport = false;
            return this;
        }

        /** The backend only streams: non-stream requests are sent to it streamed. */
        public Builder streamingOnly() {
            this.nonStreamSupport = false;
            return this;
        }

        public Builder withMaxContextTokens(int tokens) {
            this.maxContextTokens = OptionalInt.of(tokens);
            return this;
        }

        /** Requests per minute (sliding). */
        public Builder withRpm(int requests) {
            limits = new Limits(OptionalInt.of(requests), limits.tpm(), limits.rpd(), limits.tpr(), limits.maxConcurrent());
            return this;
        }

        /** Tokens per minute (sliding; a request reserves prompt + max_tokens until its usage is known). */
        public Builder withTpm(long tokens) {
            limits = new Limits(limits.rpm(), OptionalLong.of(tokens), limits.rpd(), limits.tpr(), limits.maxConcurrent());
            return this;
        }

        /** Tokens in one request (prompt + max_tokens); larger requests never go to this backend. */
        public Builder withTpr(long tokens) {
            limits = new Limits(limits.rpm(), limits.tpm(), limits.rpd(), OptionalLong.of(tokens), limits.maxConcurrent());
            return this;
        }

        public Builder withMaxConcurrent(int requests) {
            limits = new Limits(limits.rpm(), limits.tpm(), limits.rpd(), limits.tpr(), OptionalInt.of(requests));
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
            String url = baseUrl != null ? baseUrl : "https://" + name + ".example.test/v1";
            return new Backend(id, name, url, apiKey, priority, weight, timeoutMs, enabled, headers, models,
                    new BackendOptions(retry, streamSupport, nonStreamSupport, maxContextTokens, HealthCheck.disabled(), limits));
        }
    }
}
