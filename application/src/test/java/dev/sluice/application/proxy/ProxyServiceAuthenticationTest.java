package dev.sluice.application.proxy;

import dev.sluice.application.proxy.RecordingResponseSink.ErrorBody;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static dev.sluice.application.proxy.ProxyCallTestData.REQUEST_ID;
import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.testing.AppTestData.aKey;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyServiceAuthenticationTest {
    private final ProxyFixture fixture = new ProxyFixture().given(aBackend().servingModel("gpt-4o").build());

    @Test
    void givenNoKey_whenForwarding_then401MissingApiKeyAndNothingIsSentUpstream() {
        RecordingResponseSink client = fixture.forward(aCall().build());

        assertEquals(401, client.status());
        assertEquals("missing_api_key", client.error().code());
        assertEquals("invalid_request_error", client.error().type());
        assertEquals("application/json", client.contentType());
        assertEquals(client.body().length, client.contentLength());
        assertEquals(Map.of("x-request-id", REQUEST_ID), client.headers());
        assertTrue(client.ended());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @Test
    void givenAnUnknownKey_whenForwarding_then401InvalidApiKey() {
        RecordingResponseSink client = fixture.forward(aCall().withKey("sk-sluice-made-up").build());

        assertEquals(401, client.status());
        assertEquals("invalid_api_key", client.error().code());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @Test
    void givenARevokedKey_whenForwarding_then401InvalidApiKey() {
        fixture.given(aKey().of(fixture.billing).withPlainKey("sk-sluice-revoked").revoked().build());

        RecordingResponseSink client = fixture.forward(aCall().withKey("sk-sluice-revoked").build());

        assertEquals(401, client.status());
        assertEquals("invalid_api_key", client.error().code());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @Test
    void aRefusedCallIsLoggedWithoutACaller() {
        fixture.forward(aCall().withKey("sk-sluice-made-up").build());

        RequestRecord record = fixture.requestLog.only();
        assertEquals(401, record.status());
        assertEquals(Optional.of("invalid_api_key"), record.errorType());
        assertEquals(Optional.empty(), record.appId());
        assertEquals(Optional.empty(), record.appName());
        assertEquals(Optional.empty(), record.backendId());
        assertEquals(REQUEST_ID, record.requestId());
    }

    @Test
    void givenALiveKey_whenForwarding_thenTheRequestIsSentAndLoggedForItsApp() {
        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());
        fixture.upstream.backend().answersHead(200, Map.of()).sends(BackendAnswers.COMPLETION).ends();

        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(fixture.billing.id()), record.appId());
        assertEquals(Optional.of("billing"), record.appName());
    }

    @Test
    void givenKeysSwitchedOffAndNoAppNameHeader_whenForwarding_then400NamingTheHeader() {
        fixture.withKeysSwitchedOff();

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        assertEquals(400, client.status());
        ErrorBody error = client.error();
        assertEquals("missing_app_name", error.code());
        assertEquals("App-Name", error.param());
        assertEquals(0, fixture.upstream.requestsSent());
    }

    @Test
    void givenKeysSwitchedOffAndABlankAppName_whenForwarding_then400() {
        fixture.withKeysSwitchedOff();

        assertEquals(400, fixture.forward(aCall().withAppName("  ").build()).status());
    }

    @Test
    void givenKeysSwitchedOff_whenARegisteredAppNamesItself_thenItIsLoggedWithItsId() {
        fixture.withKeysSwitchedOff();

        fixture.forward(aCall().withAppName(" billing ").build());
        fixture.upstream.backend().answersHead(200, Map.of()).sends(BackendAnswers.COMPLETION).ends();

        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(fixture.billing.id()), record.appId());
        assertEquals(Optional.of("billing"), record.appName());
    }

    @Test
    void givenKeysSwitchedOff_whenAnUnregisteredAppNamesItself_thenItIsServedAndLoggedByName() {
        fixture.withKeysSwitchedOff();

        fixture.forward(aCall().withAppName("notebook").build());
        fixture.upstream.backend().answersHead(200, Map.of()).sends(BackendAnswers.COMPLETION).ends();

        RequestRecord record = fixture.requestLog.only();
        assertEquals(200, record.status());
        assertEquals(Optional.empty(), record.appId());
        assertEquals(Optional.of("notebook"), record.appName());
    }

    @Test
    void listingModelsNeedsAKeyToo() {
        RecordingResponseSink client = new RecordingResponseSink();

        fixture.proxy().listModels(aCall().build(), client);

        assertEquals(401, client.status());
        assertEquals("missing_api_key", client.error().code());
    }
}
