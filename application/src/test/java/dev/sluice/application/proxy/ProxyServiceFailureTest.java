package dev.sluice.application.proxy;

import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamFailure.Kind;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.openai.OpenAiError;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.sluice.application.proxy.BackendAnswers.COMPLETION;
import static dev.sluice.application.proxy.BackendAnswers.CONTENT_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.ROLE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.SSE_HEAD;
import static dev.sluice.application.proxy.BackendAnswers.USAGE_EVENT;
import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.proxy.ProxyCallTestData.aChatRequest;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyServiceFailureTest {
    private final Backend backend = aBackend().named("primary").withBaseUrl("http://10.0.0.7:8000/v1")
            .withApiKey("sk-backend-secret-0123456789").servingModel("gpt-4o").build();
    private final ProxyFixture fixture = new ProxyFixture().given(backend);

    @ParameterizedTest(name = "{0} → {1} attempt(s), {2} {3}")
    @CsvSource({
            "CONNECT, 3, 502, backend_unreachable",
            "RESET, 3, 502, no_backend_available",
            "PROTOCOL, 3, 502, no_backend_available",
            "TIMEOUT, 1, 504, backend_timeout",
            "POOL_EXHAUSTED, 1, 503, gateway_overloaded"})
    void givenTheOnlyBackendFailsBeforeAnswering_thenTheClientGetsAGatewayErrorAfterItsRetries(Kind kind, int attempts,
                                                                                               int status, String code) {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        everyAttemptFails(kind);

        assertEquals(attempts, fixture.upstream.requestsSent());
        assertEquals(status, client.status());
        assertEquals(code, client.error().code());
        assertEquals("api_error", client.error().type());
        assertTrue(client.ended());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(status, record.status());
        assertEquals(Optional.of(code), record.errorType());
        assertEquals(Optional.of(backend.id()), record.backendId());
        assertEquals(Optional.empty(), record.usage());
        assertEquals(attempts, record.attempts().size());
        assertTrue(record.attempts().stream().allMatch(a -> a.error().equals(Optional.of(kind.name().toLowerCase(Locale.ROOT)))),
                record.attempts().toString());
    }

    @Test
    void aGatewayErrorSaysHowManyBackendsWereTriedButNeverTheirAddressOrKey() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        everyAttemptFails(Kind.CONNECT);

        assertTrue(client.error().message().contains("1 backend(s) tried"), client.error().message());
        assertFalse(client.bodyText().contains("10.0.0.7"));
        assertFalse(client.bodyText().contains("sk-backend"));
    }

    @Test
    void givenTheUpstreamClientFailsBeforeSendReturns_thenTheClientGetsOneErrorAndOneRecord() {
        fixture.upstream.answersDuringSend(listener -> listener.onFailure(new UpstreamFailure(Kind.POOL_EXHAUSTED, "full")));

        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        assertEquals(503, client.status());
        assertTrue(client.ended());
        assertEquals(503, fixture.requestLog.only().status());
    }

    @Test
    void givenAStreamBreaksMidway_thenTheClientGetsAnSseErrorEventAndTheEnd() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD)
                .sends(ROLE_EVENT + CONTENT_EVENT + "data: {\"id\":\"c1\",\"choi")
                .fails(Kind.RESET);

        String expectedError = new String(OpenAiError.backendFailed("primary").toSseEvent(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(ROLE_EVENT + CONTENT_EVENT + expectedError, client.bodyText());
        assertTrue(client.ended());
        assertFalse(client.aborted());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of("stream_interrupted_reset"), record.errorType());
        assertTrue(record.stream());
        assertFalse(record.clientAborted());
    }

    @Test
    void givenAStreamTimesOutAfterTheUsageChunk_thenTheErrorEventSaysTimeoutAndUsageIsKept() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD).sends(ROLE_EVENT + USAGE_EVENT).fails(Kind.TIMEOUT);

        assertTrue(client.bodyText().endsWith("\n\n"));
        String lastEvent = client.chunks().getLast();
        assertTrue(lastEvent.startsWith("data: ") && lastEvent.contains("\"code\":\"backend_timeout\""), lastEvent);
        assertEquals(Optional.of(new Usage(9, 3, 12)), fixture.requestLog.only().usage());
        assertEquals(Optional.of("stream_interrupted_timeout"), fixture.requestLog.only().errorType());
    }

    @Test
    void givenACompletionBreaksMidBody_thenTheClientConnectionIsAborted() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        fixture.upstream.backend().answersHead(200, Map.of("content-type", "application/json"))
                .sends(COMPLETION.substring(0, 40))
                .fails(Kind.RESET);

        assertTrue(client.aborted());
        assertFalse(client.ended());
        assertEquals(Optional.of("stream_interrupted_reset"), fixture.requestLog.only().errorType());
    }

    @Test
    void givenTheClientGoesAwayMidStream_thenTheBackendIsCancelledAndTheRecordSaysClientAborted() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());
        FakeUpstreamClient.BackendSide upstream = fixture.upstream.backend();
        upstream.answersHead(200, SSE_HEAD).sends(ROLE_EVENT);

        client.clientDisconnects();

        assertEquals(1, upstream.cancels());
        RequestRecord record = fixture.requestLog.only();
        assertTrue(record.clientAborted());
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, record.status());
        assertEquals(Optional.of("client_closed"), record.errorType());
        assertEquals(Optional.of(backend.id()), record.backendId());
        assertEquals(1, record.attempts().size(), "the attempt the client walked away from");
        assertEquals(Optional.of("client_closed"), record.attempts().getFirst().error());
    }

    @Test
    void givenTheClientIsGone_whenTheBackendKeepsAnswering_thenNothingMoreIsWrittenOrRecorded() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());
        FakeUpstreamClient.BackendSide upstream = fixture.upstream.backend();
        upstream.answersHead(200, SSE_HEAD).sends(ROLE_EVENT);
        client.clientDisconnects();

        upstream.sends(CONTENT_EVENT + USAGE_EVENT);
        upstream.ends();
        upstream.fails(Kind.RESET);
        client.clientFallsBehind();

        assertEquals(1, fixture.requestLog.all().size());
        assertEquals(0, upstream.pauses());
        assertEquals(ROLE_EVENT, client.bodyText());
    }

    @Test
    void givenTheClientGoesAwayBeforeTheBackendAnswers_thenTheBackendIsCancelled() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        client.clientDisconnects();

        assertEquals(1, fixture.upstream.backend().cancels());
        assertTrue(fixture.requestLog.only().clientAborted());
        assertTrue(fixture.requestLog.only().timeToFirstTokenMicros().isEmpty());
    }

    @Test
    void givenASlowClient_thenTheBackendIsPausedAndResumedWithIt() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());
        FakeUpstreamClient.BackendSide upstream = fixture.upstream.backend();
        upstream.answersHead(200, SSE_HEAD).sends(ROLE_EVENT);

        client.clientFallsBehind();
        assertEquals(1, upstream.pauses());
        assertEquals(0, upstream.resumes());

        client.clientCatchesUp();
        assertEquals(1, upstream.pauses());
        assertEquals(1, upstream.resumes());
    }

    @Test
    void afterTheResponseEnded_writabilityChangesNoLongerTouchTheBackend() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());
        FakeUpstreamClient.BackendSide upstream = fixture.upstream.backend();
        upstream.answersHead(200, Map.of()).sends(COMPLETION).ends();

        client.clientFallsBehind();
        client.clientCatchesUp();

        assertEquals(0, upstream.pauses());
        assertEquals(0, upstream.resumes());
        assertEquals(0, upstream.cancels());
    }

    /** Plays the backend failing each attempt the proxy makes, letting the backoff between retries pass. */
    private void everyAttemptFails(Kind kind) {
        int answered = 0;
        while (answered < fixture.upstream.requestsSent()) {
            fixture.upstream.latest().fails(kind);
            answered++;
            fixture.timePasses(Duration.ofSeconds(5));
        }
    }
}
