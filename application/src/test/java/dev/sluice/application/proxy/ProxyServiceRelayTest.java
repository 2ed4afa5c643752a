package dev.sluice.application.proxy;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.sluice.application.proxy.BackendAnswers.COMPLETION;
import static dev.sluice.application.proxy.BackendAnswers.CONTENT_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.DONE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.INVALID_REQUEST;
import static dev.sluice.application.proxy.BackendAnswers.RATE_LIMITED;
import static dev.sluice.application.proxy.BackendAnswers.ROLE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.SSE_HEAD;
import static dev.sluice.application.proxy.BackendAnswers.STOP_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.USAGE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.WHOLE_STREAM;
import static dev.sluice.application.proxy.ProxyCallTestData.REQUEST_ID;
import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.proxy.ProxyCallTestData.aChatRequest;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyServiceRelayTest {
    private static final Usage USAGE = new Usage(9, 3, 12);

    private final Backend backend = aBackend().named("primary").servingModel("gpt-4o", "gpt-4o-2024-08-06").build();
    private final ProxyFixture fixture = new ProxyFixture().given(backend);

    @Test
    void givenACompletion_thenTheClientGetsTheBackendsStatusHeadersAndExactBytes() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());
        int length = COMPLETION.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

        fixture.upstream.backend()
                .answersHead(200, Map.of("content-type", "application/json; charset=utf-8", "content-length", "" + length,
                        "openai-processing-ms", "120", "x-request-id", "backend-own-id"))
                .sendsInPiecesOf(50, COMPLETION)
                .ends();

        assertEquals(200, client.status());
        assertEquals("application/json; charset=utf-8", client.contentType());
        assertEquals(length, client.contentLength());
        assertEquals(Map.of("openai-processing-ms", "120", "x-request-id", REQUEST_ID), client.headers());
        assertEquals(COMPLETION, client.bodyText());
        assertTrue(client.ended());
    }

    @Test
    void givenACompletion_thenTheRecordHasUsageTimingStatusAndBackend() {
        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        fixture.upstream.backend().answersHead(200, Map.of("content-type", "application/json")).sends(COMPLETION).ends();

        RequestRecord record = fixture.requestLog.only();
        assertEquals(REQUEST_ID, record.requestId());
        assertEquals(200, record.status());
        assertEquals(Optional.empty(), record.errorType());
        assertEquals(Optional.of(USAGE), record.usage());
        assertEquals(Optional.of(backend.id()), record.backendId());
        assertEquals(Optional.of("primary"), record.backendName());
        assertEquals(Optional.of("gpt-4o"), record.model());
        assertFalse(record.stream());
        assertFalse(record.clientAborted());
        assertTimeToFirstTokenWithinLatency(record);
    }

    @Test
    void givenACompletionWithoutUsage_thenUsageIsNotReportedRatherThanZero() {
        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        fixture.upstream.backend().answersHead(200, Map.of()).sends("{\"choices\":[]}").ends();

        assertEquals(Optional.empty(), fixture.requestLog.only().usage());
    }

    @Test
    void givenAnEmptyAnswer_thenThereIsNoTimeToFirstToken() {
        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        fixture.upstream.backend().answersHead(204, Map.of()).ends();

        assertEquals(OptionalLong.empty(), fixture.requestLog.only().timeToFirstTokenMicros());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 404, 422})
    void givenTheBackendRejectsTheRequestItself_thenStatusHeadersAndBodyArePassedThroughUnchanged(int status) {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());

        fixture.upstream.backend()
                .answersHead(status, Map.of("content-type", "application/json", "retry-after", "20", "x-ratelimit-remaining-requests", "99"))
                .sends(INVALID_REQUEST)
                .ends();

        assertEquals(status, client.status());
        assertEquals("application/json", client.contentType());
        assertEquals(Map.of("retry-after", "20", "x-ratelimit-remaining-requests", "99", "x-request-id", REQUEST_ID), client.headers());
        assertEquals(INVALID_REQUEST, client.bodyText());
        assertTrue(client.ended());
        assertEquals(1, fixture.upstream.requestsSent(), "the client's own mistake is not retried");
        RequestRecord record = fixture.requestLog.only();
        assertEquals(status, record.status());
        assertEquals(Optional.of("backend_status_" + status), record.errorType());
        assertEquals(Optional.empty(), record.usage());
    }

    @Test
    void givenAStreamIsRejectedByTheBackend_thenTheErrorIsPassedThroughAsJsonNotAsAnEventStream() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(400, Map.of("content-type", "application/json")).sends(INVALID_REQUEST).ends();

        assertEquals(400, client.status());
        assertEquals("application/json", client.contentType());
        assertEquals(INVALID_REQUEST, client.bodyText());
        assertEquals(400, fixture.requestLog.only().status());
        assertTrue(fixture.requestLog.only().stream());
    }

    @Test
    void givenTheOnlyBackendAnswers429_thenTheClientGetsTheGatewaysOwn429WithItsRetryAfter() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend()
                .answersHead(429, Map.of("content-type", "application/json", "retry-after", "20"))
                .sends(RATE_LIMITED)
                .ends();

        assertEquals(429, client.status());
        assertEquals("application/json", client.contentType());
        assertEquals("20", client.headers().get("retry-after"));
        assertEquals("rate_limit_exceeded", client.error().code());
        assertFalse(client.bodyText().contains("Rate limit reached"), "the backend's own body is not relayed");
        assertTrue(client.ended());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(429, record.status());
        assertEquals(Optional.of("rate_limit_exceeded"), record.errorType());
        assertEquals(Optional.of(backend.id()), record.backendId());
        assertEquals(Optional.empty(), record.usage());
    }

    @Test
    void givenAStreamTheClientDidNotAskUsageFor_thenTheUsageChunkIsStrippedButRecorded() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD)
                .sends(ROLE_EVENT).sends(CONTENT_EVENT).sends(STOP_EVENT).sends(USAGE_EVENT).sends(DONE_EVENT)
                .ends();

        assertEquals(200, client.status());
        assertEquals("text/event-stream", client.contentType());
        assertEquals(-1, client.contentLength());
        assertEquals(Map.of("cache-control", "no-cache", "x-request-id", REQUEST_ID), client.headers());
        assertEquals(ROLE_EVENT + CONTENT_EVENT + STOP_EVENT + DONE_EVENT, client.bodyText());
        assertTrue(client.ended());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(USAGE), record.usage());
        assertTrue(record.stream());
        assertEquals(200, record.status());
        assertEquals(Optional.of(backend.id()), record.backendId());
        assertTimeToFirstTokenWithinLatency(record);
    }

    @Test
    void givenAStreamTheClientAskedUsageFor_thenTheUsageChunkIsKept() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming().askingForUsage(true)).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD).sends(WHOLE_STREAM).ends();

        assertEquals(WHOLE_STREAM, client.bodyText());
        assertEquals(Optional.of(USAGE), fixture.requestLog.only().usage());
    }

    @Test
    void givenAStreamWithIncludeUsageFalse_thenTheBackendIsAskedForUsageAndTheClientDoesNotSeeIt() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming().askingForUsage(false)).build());

        assertTrue(fixture.upstream.backend().requestBody().contains("\"stream_options\":{\"include_usage\":true}"));
        fixture.upstream.backend().answersHead(200, SSE_HEAD).sends(WHOLE_STREAM).ends();

        assertEquals(ROLE_EVENT + CONTENT_EVENT + STOP_EVENT + DONE_EVENT, client.bodyText());
        assertEquals(Optional.of(USAGE), fixture.requestLog.only().usage());
    }

    @Test
    void givenAStreamArrivingInOddPieces_thenOnlyWholeEventsReachTheClient() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD).sendsInPiecesOf(7, WHOLE_STREAM).ends();

        assertEquals(ROLE_EVENT + CONTENT_EVENT + STOP_EVENT + DONE_EVENT, client.bodyText());
        for (String chunk : client.chunks()) {
            assertTrue(chunk.startsWith("data: ") && chunk.endsWith("\n\n"), "a chunk of whole events: " + chunk);
        }
        assertEquals(Optional.of(USAGE), fixture.requestLog.only().usage());
    }

    @Test
    void givenAStreamThatEndsWithoutABlankLine_thenTheLastEventIsStillDelivered() {
        RecordingResponseSink client = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().streaming()).build());

        fixture.upstream.backend().answersHead(200, SSE_HEAD).sends(ROLE_EVENT + "data: [DONE]").ends();

        assertEquals(ROLE_EVENT + "data: [DONE]", client.bodyText());
        assertTrue(client.ended());
    }

    private static void assertTimeToFirstTokenWithinLatency(RequestRecord record) {
        assertTrue(record.timeToFirstTokenMicros().isPresent(), "time to first token");
        long ttft = record.timeToFirstTokenMicros().getAsLong();
        assertTrue(ttft >= 0 && ttft <= record.latencyMicros(), "ttft " + ttft + " within latency " + record.latencyMicros());
    }
}
