package dev.sluice.application.proxy;

import dev.sluice.domain.openai.Endpoint;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Intent-named client calls: {@code aCall().withKey("sk-…").withBody(aChatRequest().streaming()).build()}. */
final class ProxyCallTestData {
    static final String REQUEST_ID = "req-0001";

    private ProxyCallTestData() {
    }

    static CallBuilder aCall() {
        return new CallBuilder();
    }

    static ChatRequestBuilder aChatRequest() {
        return new ChatRequestBuilder();
    }

    static final class CallBuilder {
        private String requestId = REQUEST_ID;
        private Optional<Duration> maxWait = Optional.empty();
        private Endpoint endpoint = Endpoint.CHAT_COMPLETIONS;
        private Optional<String> bearerToken = Optional.empty();
        private Optional<String> appName = Optional.empty();
        private String body = aChatRequest().build();

        CallBuilder withRequestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /** How long the client accepts to wait in the queue (the {@code X-Sluice-Max-Wait} header). */
        CallBuilder willingToWait(Duration maxWait) {
            this.maxWait = Optional.of(maxWait);
            return this;
        }

        CallBuilder to(Endpoint endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        CallBuilder withKey(String key) {
            this.bearerToken = Optional.of(key);
            return this;
        }

        CallBuilder withAppName(String name) {
            this.appName = Optional.of(name);
            return this;
        }

        CallBuilder withBody(String json) {
            this.body = json;
            return this;
        }

        CallBuilder withBody(ChatRequestBuilder request) {
            return withBody(request.build());
        }

        ProxyCall build() {
            return new ProxyCall(requestId, endpoint, bearerToken, appName, body.getBytes(StandardCharsets.UTF_8),
                    Instant.now(), System.nanoTime(), maxWait);
        }
    }

    static final class ChatRequestBuilder {
        private String model = "gpt-4o";
        private String prompt = "Say hello";
        private boolean stream;
        private Boolean includeUsage;
        private Integer maxTokens;

        ChatRequestBuilder forModel(String model) {
            this.model = model;
            return this;
        }

        /** The user message's text (plain ASCII, put in the JSON as is). */
        ChatRequestBuilder withPrompt(String prompt) {
            this.prompt = prompt;
            return this;
        }

        ChatRequestBuilder withMaxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        ChatRequestBuilder streaming() {
            this.stream = true;
            return this;
        }

        ChatRequestBuilder askingForUsage(boolean includeUsage) {
            this.includeUsage = includeUsage;
            return this;
        }

        String build() {
            StringBuilder json = new StringBuilder("{\"model\":\"").append(model).append('"')
                    .append(",\"messages\":[{\"role\":\"user\",\"content\":\"").append(prompt).append("\"}],\"temperature\":0.2,\"x-vendor\":{\"keep\":[1,\"☕\"]}");
            if (stream) {
                json.append(",\"stream\":true");
            }
            if (maxTokens != null) {
                json.append(",\"max_tokens\":").append(maxTokens);
            }
            if (includeUsage != null) {
                json.append(",\"stream_options\":{\"include_usage\":").append(includeUsage).append('}');
            }
            return json.append('}').toString();
        }
    }
}
