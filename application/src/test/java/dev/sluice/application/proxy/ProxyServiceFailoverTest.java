package dev.sluice.application.proxy;

import dev.sluice.application.port.UpstreamFailure.Kind;
import dev.sluice.application.proxy.FakeUpstreamClient.BackendSide;
import dev.sluice.application.testing.BackendTestData;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.openai.OpenAiError;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

import static dev.sluice.application.proxy.BackendAnswers.COMPLETION;
import static dev.sluice.application.proxy.BackendAnswers.CONTENT_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.DONE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.INVALID_REQUEST;
import static dev.sluice.application.proxy.BackendAnswers.JSON_HEAD;
import static dev.sluice.application.proxy.BackendAnswers.RATE_LIMITED;
import static dev.sluice.application.proxy.BackendAnswers.ROLE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.SERVER_ERROR;
import static dev.sluice.application.proxy.BackendAnswers.SSE_HEAD;
import static dev.sluice.application.proxy.BackendAnswers.STOP_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.USAGE_EVENT;
import static dev.sluice.application.proxy.BackendAnswers.WHOLE_STREAM;
import static dev.sluice.application.proxy.BackendAnswers.contentEvent;
import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.proxy.ProxyCallTestData.aChatRequest;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover across several backends, one test per rule: what each kind of failed attempt leads to
 * (retry the same backend after a backoff, switch at once, pass through), what the client gets
 * when no backend is left, how priority, weights, circuit breakers and cooldowns steer the choice,
 * what happens to streams, and what the request record says about every attempt. Time is the
 * test's own: backoffs and deadlines run only when {@code timePasses}.
 */
class ProxyServiceFailoverTest {
    private static final Usage USAGE = new Usage(9, 3, 12);
    private static final Duration LONGER_THAN_ANY_BACKOFF = Duration.ofSeconds(5);

    private final ProxyFixture fixture = new ProxyFixture();

    // --- 5xx: retried on the same backend, then the next one ---

    @Test
    void givenA500ThenA200_whenForwarding_thenTheSameBackendIsRetriedAfterABackoffAndServes() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        fixture.upstream.latest().answers(500, JSON_HEAD, SERVER_ERROR);

        assertEquals(1, fixture.upstream.requestsSent(), "the retry waits for its backoff");
        assertTrue(client.nothingWritten());
        assertEquals(1, fixture.scheduler.delays().size());
        Duration backoff = fixture.scheduler.delays().getFirst();
        assertBackoffWithinPolicy(0, backoff);

        fixture.timePasses(backoff);
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        assertEquals(200, client.status());
        assertEquals(COMPLETION, client.bodyText());
        assertEquals(2, fixture.upstream.sentTo(a).size());
        assertEquals(0, fixture.upstream.sentTo(b).size());
        assertEquals(List.of("a 500", "a 200"), attempts(fixture.requestLog.only()));
    }

    @Test
    void givenABackendThatAlwaysAnswers503_whenForwarding_thenItIsTriedOncePlusItsRetriesBeforeTheNextServes() {
        Backend a = backendNamed("a").withRetry(2).build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        for (int attempt = 1; attempt <= 3; attempt++) {
            assertEquals(attempt, fixture.upstream.sentTo(a).size());
            fixture.upstream.latest().answers(503, JSON_HEAD, SERVER_ERROR);
            fixture.timePasses(LONGER_THAN_ANY_BACKOFF);
        }
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        assertEquals(3, fixture.upstream.sentTo(a).size());
        assertEquals(1, fixture.upstream.sentTo(b).size());
        assertEquals(200, client.status());
        List<Duration> backoffs = fixture.scheduler.delays();
        assertEquals(2, backoffs.size(), "a backoff before each retry, none before the switch");
        assertBackoffWithinPolicy(0, backoffs.get(0));
        assertBackoffWithinPolicy(1, backoffs.get(1));
        assertEquals(List.of("a 503", "a 503", "a 503", "b 200"), attempts(fixture.requestLog.only()));
    }

    // --- 401, 403, 429, timeout: the next backend at once ---

    @Test
    void givenA429WithRetryAfter_whenForwarding_thenTheNextBackendServesAtOnceAndTheFirstRestsThatLong() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        fixture.upstream.latest().answers(429, Map.of("content-type", "application/json", "retry-after", "30"), RATE_LIMITED);

        assertEquals(1, fixture.upstream.sentTo(b).size(), "switched at once");
        assertEquals(List.of(), fixture.scheduler.delays());
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, client.status());
        assertEquals(COMPLETION, client.bodyText());

        fixture.timePasses(Duration.ofSeconds(29));
        request();
        assertEquals(1, fixture.upstream.sentTo(a).size(), "a is still cooling down");
        assertEquals(2, fixture.upstream.sentTo(b).size());
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        fixture.timePasses(Duration.ofSeconds(1));
        request();
        assertEquals(2, fixture.upstream.sentTo(a).size(), "a is back after 30 s");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403})
    void givenTheBackendRefusesTheGatewaysCredentials_whenForwarding_thenTheNextBackendServesAtOnce(int status) {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        fixture.upstream.latest().answers(status, JSON_HEAD, INVALID_REQUEST);
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        assertEquals(1, fixture.upstream.sentTo(a).size(), "not retried");
        assertEquals(1, fixture.upstream.sentTo(b).size());
        assertEquals(List.of(), fixture.scheduler.delays());
        assertEquals(200, client.status());
        assertEquals(COMPLETION, client.bodyText());
        assertEquals(List.of("a " + status, "b 200"), attempts(fixture.requestLog.only()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Kind.class, names = {"CONNECT", "RESET"})
    void givenTheConnectionIsRefusedOrBroken_whenForwarding_thenTheSameBackendIsRetriedThenTheNextServes(Kind kind) {
        Backend a = backendNamed("a").withRetry(2).build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        for (int attempt = 1; attempt <= 3; attempt++) {
            fixture.upstream.latest().fails(kind);
            fixture.timePasses(LONGER_THAN_ANY_BACKOFF);
        }
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        assertEquals(3, fixture.upstream.sentTo(a).size());
        assertEquals(1, fixture.upstream.sentTo(b).size());
        assertEquals(2, fixture.scheduler.delays().size());
        assertEquals(200, client.status());
        String error = "a " + kind.name().toLowerCase(Locale.ROOT);
        assertEquals(List.of(error, error, error, "b 200"), attempts(fixture.requestLog.only()));
    }

    @Test
    void givenTheBackendTimesOut_whenForwarding_thenTheNextBackendServesAtOnceWithoutARetry() {
        Backend a = backendNamed("a").withRetry(2).build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        fixture.upstream.latest().fails(Kind.TIMEOUT);
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        assertEquals(1, fixture.upstream.sentTo(a).size());
        assertEquals(1, fixture.upstream.sentTo(b).size());
        assertEquals(List.of(), fixture.scheduler.delays());
        assertEquals(1, fixture.upstream.sentTo(a).getFirst().cancels(), "the timed-out exchange is let go");
        assertEquals(200, client.status());
        assertEquals(List.of("a timeout", "b 200"), attempts(fixture.requestLog.only()));
    }

    // --- the client's own mistake: passed through ---

    @Test
    void givenABackendAnswers400_whenForwarding_thenTheClientGetsItUnchangedAndNoOtherBackendIsTried() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        fixture.upstream.latest().answers(400, Map.of("content-type", "application/json", "x-backend-trace", "t-1"), INVALID_REQUEST);

        assertEquals(400, client.status());
        assertEquals("application/json", client.contentType());
        assertEquals("t-1", client.headers().get("x-backend-trace"));
        assertEquals(INVALID_REQUEST, client.bodyText());
        assertTrue(client.ended());
        assertEquals(0, fixture.upstream.sentTo(b).size());
        assertEquals(List.of(), fixture.scheduler.delays());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(400, record.status());
        assertEquals(Optional.of(a.id()), record.backendId());
        assertEquals(List.of("a 400"), attempts(record));
    }

    // --- no backend left ---

    @Test
    void givenEveryBackendFails_whenForwarding_then502SayingHowManyBackendsWereTriedAndNoAddressOrKey() {
        Backend a = backendNamed("a").withApiKey("sk-backend-a-secret").build();
        Backend b = backendNamed("b").withApiKey("sk-backend-b-secret").withPriority(2).build();
        Backend c = backendNamed("c").withBaseUrl("http://10.0.0.7:8000/v1").withPriority(3).build();
        fixture.given(a).given(b).given(c);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, answersStatus(500), b, answersStatus(401), c, failsWith(Kind.RESET)));

        assertEquals(502, client.status());
        assertEquals("api_error", client.error().type());
        assertEquals("no_backend_available", client.error().code());
        assertTrue(client.error().message().contains("3 backend(s) tried in 7 attempt(s)"), client.error().message());
        assertFalse(client.bodyText().contains("example.test"), client.bodyText());
        assertFalse(client.bodyText().contains("10.0.0.7"), client.bodyText());
        assertFalse(client.bodyText().contains("sk-backend"), client.bodyText());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(502, record.status());
        assertEquals(Optional.of("no_backend_available"), record.errorType());
        assertEquals(7, record.attempts().size());
    }

    @Test
    void givenEveryBackendAnswers429_whenForwarding_thenTheClientGets429WithTheShortestRetryAfter() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, answersRateLimited("30"), b, answersRateLimited("12")));

        assertEquals(429, client.status());
        assertEquals("12", client.headers().get("retry-after"));
        assertEquals("rate_limit_exceeded", client.error().code());
        assertTrue(client.error().message().contains("2 backend(s) tried"), client.error().message());
        assertEquals(List.of("a 429", "b 429"), attempts(fixture.requestLog.only()));
    }

    @Test
    void givenEveryBackendTimesOut_whenForwarding_then504() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, failsWith(Kind.TIMEOUT), b, failsWith(Kind.TIMEOUT)));

        assertEquals(504, client.status());
        assertEquals("backend_timeout", client.error().code());
        assertTrue(client.error().message().contains("2 backend(s) tried in 2 attempt(s)"), client.error().message());
        assertEquals(504, fixture.requestLog.only().status());
    }

    @Test
    void givenEveryBackendsConnectionPoolIsFull_whenForwarding_then503() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, failsWith(Kind.POOL_EXHAUSTED), b, failsWith(Kind.POOL_EXHAUSTED)));

        assertEquals(503, client.status());
        assertEquals("gateway_overloaded", client.error().code());
        assertEquals(List.of("a pool_exhausted", "b pool_exhausted"), attempts(fixture.requestLog.only()));
    }

    @Test
    void givenNoBackendCanBeConnectedTo_whenForwarding_then502BackendUnreachable() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, failsWith(Kind.CONNECT), b, failsWith(Kind.CONNECT)));

        assertEquals(502, client.status());
        assertEquals("backend_unreachable", client.error().code());
        assertTrue(client.error().message().contains("2 backend(s) tried in 6 attempt(s)"), client.error().message());
    }

    // --- the whole-request deadline ---

    @Test
    void givenTheDeadlinePassesDuringABackoff_whenForwarding_then504AndNoFurtherAttempt() {
        fixture.withRequestDeadline(Duration.ofSeconds(2)).withBackoff(Duration.ofSeconds(6), Duration.ofSeconds(10));
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();
        fixture.upstream.latest().answers(503, JSON_HEAD, SERVER_ERROR);
        assertEquals(2, fixture.scheduler.pending(), "the deadline and a backoff of at least 3 s");

        fixture.timePasses(Duration.ofSeconds(2));

        assertEquals(504, client.status());
        assertEquals("request_deadline_exceeded", client.error().code());
        assertEquals(0, fixture.scheduler.pending(), "the backoff is cancelled");
        fixture.timePasses(Duration.ofMinutes(1));
        assertEquals(1, fixture.upstream.requestsSent());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(504, record.status());
        assertEquals(Optional.of("request_deadline_exceeded"), record.errorType());
        assertEquals(List.of("a 503"), attempts(record));
    }

    @Test
    void givenTheDeadlinePassesWhileABackendIsThinking_whenForwarding_thenItIsCancelledAndItsAttemptRecorded() {
        fixture.withRequestDeadline(Duration.ofSeconds(2));
        Backend a = backendNamed("a").build();
        fixture.given(a);
        RecordingResponseSink client = request();

        fixture.timePasses(Duration.ofSeconds(2));

        assertEquals(504, client.status());
        assertTrue(client.error().message().contains("1 attempt(s)"), client.error().message());
        assertEquals(1, fixture.upstream.latest().cancels());
        assertEquals(List.of("a request_deadline_exceeded"), attempts(fixture.requestLog.only()));
    }

    // --- which backend: priority, weights, enabled, healthy ---

    @Test
    void givenSeveralPriorities_whenBackendsFail_thenEveryPriority1BackendIsTriedBeforeThePriority2One() {
        Backend first = backendNamed("first").withPriority(1).build();
        Backend second = backendNamed("second").withPriority(1).build();
        Backend fallback = backendNamed("fallback").withPriority(2).build();
        fixture.given(fallback).given(first).given(second);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(first, answersStatus(401), second, answersStatus(401), fallback, completes()));

        assertEquals(200, client.status());
        List<String> tried = fixture.requestLog.only().attempts().stream().map(AttemptRecord::backendName).toList();
        assertEquals(Set.of("first", "second"), Set.copyOf(tried.subList(0, 2)));
        assertEquals("fallback", tried.get(2));
    }

    @Test
    void givenWeights3And1_whenForwarding40Requests_thenTheyAreShared30To10() {
        Backend heavy = backendNamed("heavy").withWeight(3).build();
        Backend light = backendNamed("light").withWeight(1).build();
        fixture.given(heavy).given(light);

        for (int i = 0; i < 40; i++) {
            request();
            fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        }

        assertEquals(30, fixture.upstream.sentTo(heavy).size());
        assertEquals(10, fixture.upstream.sentTo(light).size());
    }

    @Test
    void givenADisabledBackend_whenEveryOtherFails_thenItIsStillNeverTried() {
        Backend off = backendNamed("off").withPriority(0).disabled().build();
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(off).given(a).given(b);
        RecordingResponseSink client = request();

        backendsBehave(Map.of(a, answersStatus(503), b, answersStatus(503)));

        assertEquals(502, client.status());
        assertTrue(client.error().message().contains("2 backend(s) tried"), client.error().message());
        assertEquals(0, fixture.upstream.sentTo(off).size());
    }

    @Test
    void givenABackendFailedFiveTimesInARow_thenItIsSkippedUntilItsCooldownAndThenGetsExactlyOneProbe() {
        Backend flaky = backendNamed("flaky").withRetry(0).build();
        Backend steady = backendNamed("steady").withPriority(2).build();
        fixture.given(flaky).given(steady);
        for (int i = 0; i < 5; i++) {
            request();
            fixture.upstream.latest().answers(500, JSON_HEAD, SERVER_ERROR);
            fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        }
        assertEquals(CircuitBreaker.State.OPEN, fixture.health().of(flaky.id()).state());

        request();
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(5, fixture.upstream.sentTo(flaky).size(), "skipped while its circuit is open");

        fixture.timePasses(CircuitBreaker.Settings.defaults().baseCooldown());
        RecordingResponseSink probeClient = request();
        BackendSide probe = fixture.upstream.latest();
        request();
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(6, fixture.upstream.sentTo(flaky).size(), "one probe, and no second request while it is out");
        assertEquals(probe, fixture.upstream.sentTo(flaky).getLast());

        probe.answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, probeClient.status());
        request();
        assertEquals(7, fixture.upstream.sentTo(flaky).size(), "the successful probe closed the circuit");
    }

    // --- streams ---

    @Test
    void givenAStreamFailsBeforeItsFirstByte_whenForwarding_thenTheClientSeesOnlyTheNextBackendsStream() {
        Backend a = backendNamed("a").withRetry(0).build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = streamRequest(aChatRequest().streaming());

        fixture.upstream.latest().answersHead(502, JSON_HEAD).sends(SERVER_ERROR);
        BackendSide failed = fixture.upstream.sentTo(a).getFirst();
        fixture.upstream.latest().answersHead(200, SSE_HEAD).sends(WHOLE_STREAM).ends();
        failed.ends();

        assertEquals(200, client.status());
        assertEquals("text/event-stream", client.contentType());
        assertEquals(ROLE_EVENT + CONTENT_EVENT + STOP_EVENT + DONE_EVENT, client.bodyText());
        assertTrue(client.ended());
        assertEquals(1, failed.cancels());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(USAGE), record.usage());
        assertEquals(List.of("a 502", "b 200"), attempts(record));
    }

    @Test
    void givenAStreamFailsAfterItsFirstChunk_thenTheClientGetsTheChunksOneErrorEventAndTheEndAndTheUsageSeenIsKept() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = streamRequest(aChatRequest().streaming());

        fixture.upstream.latest().answersHead(200, SSE_HEAD)
                .sends(ROLE_EVENT).sends(CONTENT_EVENT + USAGE_EVENT).sends("data: {\"id\":\"c1\",\"cho")
                .fails(Kind.RESET);

        String errorEvent = new String(OpenAiError.backendFailed("a").toSseEvent(), StandardCharsets.UTF_8);
        assertEquals(ROLE_EVENT + CONTENT_EVENT + errorEvent, client.bodyText());
        assertEquals(1, client.chunks().stream().filter(c -> c.startsWith("data: {\"error\":")).count());
        assertTrue(client.ended());
        assertFalse(client.aborted());
        assertEquals(0, fixture.upstream.sentTo(b).size(), "no failover once the client has bytes");
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(USAGE), record.usage());
        assertEquals(Optional.of("stream_interrupted_reset"), record.errorType());
        assertEquals(List.of("a 200 reset"), attempts(record));
    }

    // --- the client leaves ---

    @Test
    void givenTheClientLeavesDuringABackoff_thenNoFurtherAttemptIsMadeAndTheRecordSays499WithTheAttempts() {
        Backend a = backendNamed("a").build();
        Backend b = backendNamed("b").withPriority(2).build();
        fixture.given(a).given(b);
        RecordingResponseSink client = request();
        fixture.upstream.latest().answers(503, JSON_HEAD, SERVER_ERROR);

        client.clientDisconnects();
        fixture.timePasses(Duration.ofMinutes(1));

        assertEquals(1, fixture.upstream.requestsSent());
        assertEquals(0, fixture.scheduler.pending());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, record.status());
        assertTrue(record.clientAborted());
        assertEquals(Optional.of("client_closed"), record.errorType());
        assertEquals(List.of("a 503"), attempts(record));
    }

    @Test
    void givenTheClientLeavesWhileABackendIsStreaming_thenTheBackendIsCancelledAndItsAttemptRecorded() {
        Backend a = backendNamed("a").build();
        fixture.given(a);
        RecordingResponseSink client = streamRequest(aChatRequest().streaming());
        BackendSide upstream = fixture.upstream.latest();
        upstream.answersHead(200, SSE_HEAD).sends(ROLE_EVENT);

        client.clientDisconnects();

        assertEquals(1, upstream.cancels());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, record.status());
        assertEquals(Optional.of(a.id()), record.backendId());
        assertEquals(List.of("a 200 client_closed"), attempts(record));
    }

    // --- what a backend can do ---

    @Test
    void givenAStreamingOnlyBackend_whenANonStreamRequestComes_thenItIsStreamedUpstreamAndAggregatedForTheClient() {
        fixture.given(backendNamed("a").streamingOnly().build());
        RecordingResponseSink client = request();

        BackendSide upstream = fixture.upstream.latest();
        assertEquals(aChatRequest().forModel("gpt-4o-2024-08-06").build()
                        .replaceFirst("}$", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"),
                upstream.requestBody());
        assertEquals("text/event-stream", upstream.request().headers().get("accept"));
        upstream.answersHead(200, SSE_HEAD)
                .sends(ROLE_EVENT + contentEvent("Hel")).sends(contentEvent("lo ☕") + STOP_EVENT).sends(USAGE_EVENT + DONE_EVENT)
                .ends();

        String expected = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"gpt-4o-2024-08-06\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello ☕\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}";
        assertEquals(200, client.status());
        assertEquals("application/json", client.contentType());
        assertEquals(expected, client.bodyText());
        assertEquals(client.body().length, client.contentLength());
        assertEquals(1, client.chunks().size(), "one JSON");
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(USAGE), record.usage());
        assertFalse(record.stream());
    }

    @ParameterizedTest(name = "client asks for usage: {0}")
    @ValueSource(booleans = {true, false})
    void givenABackendThatCannotStream_whenAStreamRequestComes_thenItIsSentNonStreamedAndReplayedAsEvents(boolean clientAsksForUsage) {
        fixture.given(backendNamed("a").withoutStreamSupport().build());
        RecordingResponseSink client = streamRequest(aChatRequest().streaming().askingForUsage(clientAsksForUsage));

        BackendSide upstream = fixture.upstream.latest();
        assertEquals(aChatRequest().forModel("gpt-4o-2024-08-06").build().replaceFirst("}$", ",\"stream\":false}"),
                upstream.requestBody());
        assertEquals("application/json", upstream.request().headers().get("accept"));
        upstream.answers(200, JSON_HEAD, COMPLETION);

        String head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"gpt-4o-2024-08-06\"";
        String expected = head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello ☕\"},\"finish_reason\":null}]}\n\n"
                + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + (clientAsksForUsage
                        ? head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n"
                        : "")
                + DONE_EVENT;
        assertEquals(200, client.status());
        assertEquals("text/event-stream", client.contentType());
        assertEquals(-1, client.contentLength());
        assertEquals(expected, client.bodyText());
        assertTrue(client.ended());
        RequestRecord record = fixture.requestLog.only();
        assertEquals(Optional.of(USAGE), record.usage());
        assertTrue(record.stream());
    }

    // --- which model: auto, context limits ---

    @Test
    void givenAuto_whenForwarding_thenTheFirstListedModelWithAnAvailableBackendServes() {
        fixture.withAutoModels("gpt-5", "gpt-4o", "gpt-4o-mini");
        Backend frontier = aBackend().named("frontier").servingModel("gpt-5").build();
        Backend main = aBackend().named("main").servingModel("gpt-4o", "gpt-4o-2024-08-06").build();
        Backend small = aBackend().named("small").servingModel("gpt-4o-mini").build();
        fixture.given(small).given(main).given(frontier);

        RecordingResponseSink first = fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY)
                .withBody(aChatRequest().forModel("auto")).build());
        assertTrue(fixture.upstream.latest().requestBody().contains("\"model\":\"gpt-5\""));
        fixture.upstream.latest().answers(429, Map.of("content-type", "application/json", "retry-after", "60"), RATE_LIMITED);
        assertTrue(fixture.upstream.latest().requestBody().contains("\"model\":\"gpt-4o-2024-08-06\""));
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, first.status());
        RequestRecord record = fixture.requestLog.all().getFirst();
        assertEquals(Optional.of("gpt-4o"), record.model());
        assertEquals(List.of("frontier 429", "main 200"), attempts(record));

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(aChatRequest().forModel("auto")).build());

        assertEquals(1, fixture.upstream.sentTo(frontier).size(), "gpt-5's only backend is cooling down");
        assertEquals(2, fixture.upstream.sentTo(main).size());
        assertEquals(0, fixture.upstream.sentTo(small).size());
    }

    @Test
    void givenAPromptLongerThanABackendsContext_whenForwarding_thenThatBackendIsSkipped() {
        Backend smallContext = backendNamed("small-context").withMaxContextTokens(100).build();
        Backend largeContext = backendNamed("large-context").withPriority(2).build();
        fixture.given(smallContext).given(largeContext);

        fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(aChatRequest().withPrompt("word ".repeat(1000))).build());
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(0, fixture.upstream.sentTo(smallContext).size());
        assertEquals(1, fixture.upstream.sentTo(largeContext).size());

        request();
        assertEquals(1, fixture.upstream.sentTo(smallContext).size(), "a short prompt still goes to the preferred backend");
    }

    // --- the record ---

    @Test
    void theRequestRecordListsEveryAttemptWithItsBackendAndStatusOrErrorAndTheBackendThatServed() {
        Backend a = backendNamed("a").withRetry(2).build();
        Backend b = backendNamed("b").withPriority(2).build();
        Backend c = backendNamed("c").withPriority(3).build();
        fixture.given(a).given(b).given(c);
        request();

        fixture.upstream.latest().answers(500, JSON_HEAD, SERVER_ERROR);
        fixture.timePasses(LONGER_THAN_ANY_BACKOFF);
        fixture.upstream.latest().fails(Kind.TIMEOUT);
        fixture.upstream.latest().answers(429, JSON_HEAD, RATE_LIMITED);
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);

        RequestRecord record = fixture.requestLog.only();
        List<AttemptRecord> attempts = record.attempts();
        assertEquals(List.of(1, 2, 3, 4), attempts.stream().map(AttemptRecord::number).toList());
        assertEquals(List.of(a.id(), a.id(), b.id(), c.id()), attempts.stream().map(AttemptRecord::backendId).toList());
        assertEquals(List.of(OptionalInt.of(500), OptionalInt.empty(), OptionalInt.of(429), OptionalInt.of(200)),
                attempts.stream().map(AttemptRecord::status).toList());
        assertEquals(List.of(Optional.empty(), Optional.of("timeout"), Optional.empty(), Optional.empty()),
                attempts.stream().map(AttemptRecord::error).toList());
        assertTrue(attempts.stream().allMatch(at -> at.latencyMicros() >= 0 && at.latencyMicros() <= record.latencyMicros()));
        assertEquals(Optional.of(c.id()), record.backendId());
        assertEquals(Optional.of("c"), record.backendName());
        assertEquals(200, record.status());
    }

    // --- helpers ---

    /** A backend serving gpt-4o (as gpt-4o-2024-08-06) at an address of its own. */
    private static BackendTestData.Builder backendNamed(String name) {
        return aBackend().named(name).servingModel("gpt-4o", "gpt-4o-2024-08-06");
    }

    private RecordingResponseSink request() {
        return fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).build());
    }

    private RecordingResponseSink streamRequest(ProxyCallTestData.ChatRequestBuilder body) {
        return fixture.forward(aCall().withKey(ProxyFixture.LIVE_KEY).withBody(body).build());
    }

    /**
     * Plays each backend's part for as long as the proxy keeps making attempts: every request a
     * backend gets is answered by its behaviour, and time passes past any backoff in between.
     */
    private void backendsBehave(Map<Backend, Consumer<BackendSide>> behaviours) {
        Map<Backend, Consumer<BackendSide>> byBackend = new LinkedHashMap<>(behaviours);
        int answered = 0;
        while (answered < fixture.upstream.requestsSent()) {
            BackendSide side = fixture.upstream.latest();
            byBackend.entrySet().stream()
                    .filter(e -> side.request().url().startsWith(e.getKey().baseUrl() + "/"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("unexpected request " + side.request()))
                    .getValue().accept(side);
            answered++;
            fixture.timePasses(LONGER_THAN_ANY_BACKOFF);
        }
    }

    private static Consumer<BackendSide> answersStatus(int status) {
        return side -> side.answers(status, JSON_HEAD, SERVER_ERROR);
    }

    private static Consumer<BackendSide> answersRateLimited(String retryAfter) {
        return side -> side.answers(429, Map.of("content-type", "application/json", "retry-after", retryAfter), RATE_LIMITED);
    }

    private static Consumer<BackendSide> failsWith(Kind kind) {
        return side -> side.fails(kind);
    }

    private static Consumer<BackendSide> completes() {
        return side -> side.answers(200, JSON_HEAD, COMPLETION);
    }

    /** Each attempt as "backend status error", the parts it has. */
    private static List<String> attempts(RequestRecord record) {
        return record.attempts().stream().map(a -> a.backendName()
                + (a.status().isPresent() ? " " + a.status().getAsInt() : "")
                + a.error().map(e -> " " + e).orElse("")).toList();
    }

    private void assertBackoffWithinPolicy(int retriesSoFar, Duration backoff) {
        Duration shortest = fixture.policy().backoff(retriesSoFar, 0.0);
        Duration longest = fixture.policy().backoff(retriesSoFar, 1.0);
        assertTrue(backoff.compareTo(shortest) >= 0 && backoff.compareTo(longest) <= 0,
                "backoff " + backoff + " within [" + shortest + ", " + longest + "]");
    }
}
