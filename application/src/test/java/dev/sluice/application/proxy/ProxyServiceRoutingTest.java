package dev.sluice.application.proxy;

import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.proxy.ProxyCallTestData.aChatRequest;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyServiceRoutingTest {
    private static final String BACKEND_KEY = "sk-backend-secret-0123456789";

    private final ProxyFixture fixture = new ProxyFixture();

    @Test
    void givenABodyWithoutModel_whenForwarding_then400WithParamModel() {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").build());

        assertEquals(400, client.status());
        assertEquals("model", client.error().param());
        assertEquals("invalid_request_error", client.error().type());
        assertEquals(0, fixture.upstream.requestsSent());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(400, record.status());
        assertEquals(Optional.of("billing"), record.appName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":42}", "{\"model\":null}", "{\"model\":[\"gpt-4o\"]}", "{\"model\":\"\"}"})
    void givenAModelThatIsNotANonBlankString_whenForwarding_then400WithParamModel(String body) {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(body).build());

        assertEquals(400, client.status());
        assertEquals("model", client.error().param());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{\"model\":\"gpt-4o\"", "{\"model\":\"gpt-4o\"} extra", "{\"model\":\"gpt-4o\",\"n\":01}"})
    void givenMalformedJson_whenForwarding_then400InvalidJson(String body) {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(body).build());

        assertEquals(400, client.status());
        assertEquals("invalid_json", client.error().code());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @Test
    void givenAModelNoBackendServes_whenForwarding_then404ModelNotFound() {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().forModel("gpt-9")).build());

        assertEquals(404, client.status());
        assertEquals("model_not_found", client.error().code());
        assertEquals("model", client.error().param());
        assertTrue(client.error().message().contains("gpt-9"));
        assertEquals(0, fixture.upstream.requestsSent());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(404, record.status());
        assertEquals(Optional.of("gpt-9"), record.model());
        assertEquals(Optional.of("model_not_found"), record.errorType());
    }

    @Test
    void givenTheOnlyBackendForAModelIsDisabled_whenForwarding_then404() {
        fixture.given(aBackend().servingModel("gpt-4o").disabled().build());

        assertEquals(404, fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build()).status());
    }

    @Test
    void theUpstreamRequestGoesToTheBackendWithItsModelNameKeyHeadersAndTimeout() {
        fixture.given(aBackend().withBaseUrl("https://llm.internal.test/v1/").withApiKey(BACKEND_KEY)
                .withHeader("X-Org", "acme").withTimeoutMs(12_000)
                .servingModel("gpt-4o", "gpt-4o-2024-08-06").build());

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        UpstreamRequest request = fixture.upstream.backend().request();
        assertEquals("POST", request.method());
        assertEquals("https://llm.internal.test/v1/chat/completions", request.url());
        assertEquals(Duration.ofMillis(12_000), request.timeout());
        assertEquals(Map.of(
                "authorization", "Bearer " + BACKEND_KEY,
                "x-org", "acme",
                "content-type", "application/json",
                "accept", "application/json"), request.headers());
        assertEquals(aChatRequest().build().replace("\"gpt-4o\"", "\"gpt-4o-2024-08-06\""), fixture.upstream.backend().requestBody());
    }

    @Test
    void theClientsKeyIsNeverSentToTheBackend() {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        UpstreamRequest request = fixture.upstream.backend().request();
        assertNull(request.headers().get("authorization"), "a backend without a key gets no Authorization header");
        assertFalse(request.headers().values().stream().anyMatch(v -> v.contains(ProxyFixture.LIVE_KEY)));
        assertFalse(fixture.upstream.backend().requestBody().contains(ProxyFixture.LIVE_KEY));
    }

    @Test
    void theHighestPriorityEnabledBackendServes() {
        Backend fallback = aBackend().named("fallback").withPriority(5).servingModel("gpt-4o").build();
        Backend preferredButOff = aBackend().named("off").withPriority(0).servingModel("gpt-4o").disabled().build();
        Backend preferred = aBackend().named("preferred").withBaseUrl("https://preferred.test/v1")
                .withPriority(1).servingModel("gpt-4o").build();
        fixture.given(fallback).given(preferredButOff).given(preferred);

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        assertEquals("https://preferred.test/v1/chat/completions", fixture.upstream.backend().request().url());
    }

    @Test
    void aStreamedChatRequestAsksTheBackendForAnEventStreamWithUsage() {
        fixture.given(aBackend().servingModel("gpt-4o").build());

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(aChatRequest().streaming()).build());

        UpstreamRequest request = fixture.upstream.backend().request();
        assertEquals("text/event-stream", request.headers().get("accept"));
        assertEquals(aChatRequest().streaming().build().replaceFirst("}$", ",\"stream_options\":{\"include_usage\":true}}"),
                fixture.upstream.backend().requestBody());
    }

    @Test
    void anEmbeddingsRequestIsNeverStreamedEvenIfTheBodySaysSo() {
        fixture.given(aBackend().withBaseUrl("https://e.test/v1").servingModel("embed").build());
        String body = "{\"model\":\"embed\",\"input\":\"hello\",\"stream\":true}";

        fixture.forward(aCall().to(Endpoint.EMBEDDINGS).withKey(ProxyFixture.LIVE_KEY).withBody(body).build());

        UpstreamRequest request = fixture.upstream.backend().request();
        assertEquals("https://e.test/v1/embeddings", request.url());
        assertEquals("application/json", request.headers().get("accept"));
        assertEquals(body, fixture.upstream.backend().requestBody());
    }

    @Test
    void listModelsShowsWhatEnabledBackendsServeInTheOpenAiListFormat() {
        fixture.given(aBackend().servingModel("gpt-4o").servingModel("embed").build())
                .given(aBackend().servingModel("hidden").disabled().build());
        RecordingResponseSink client = new RecordingResponseSink();

        fixture.proxy().listModels(aCall().withKey(ProxyFixture.LIVE_KEY).build(), client);

        assertEquals(200, client.status());
        assertEquals("{\"object\":\"list\",\"data\":["
                + "{\"id\":\"embed\",\"object\":\"model\",\"created\":0,\"owned_by\":\"sluice\"},"
                + "{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":0,\"owned_by\":\"sluice\"}]}", client.bodyText());
        assertEquals(client.body().length, client.contentLength());
        assertTrue(client.ended());
    }
}
