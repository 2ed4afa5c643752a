package dev.sluice.application.proxy;

import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.proxy.FakeUpstreamClient.BackendSide;
import dev.sluice.application.queue.AdmissionQueue.LineStats;
import dev.sluice.application.testing.BackendTestData;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.sluice.application.proxy.BackendAnswers.COMPLETION;
import static dev.sluice.application.proxy.BackendAnswers.JSON_HEAD;
import static dev.sluice.application.proxy.ProxyCallTestData.aCall;
import static dev.sluice.application.proxy.ProxyCallTestData.aChatRequest;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backends' rate limits in the proxy: requests over a limit wait in the queue (holding no thread)
 * and go in arrival order as soon as capacity frees — a window slides (a timer) or a request
 * ends (its permit is settled) — or get 429 when their wait is over; requests no backend can ever
 * take are refused at once. Every prompt counts {@value #PROMPT_TOKENS} tokens, so a request's
 * estimate is {@value #PROMPT_TOKENS} + max_tokens. Time is the test's own.
 */
class ProxyServiceLimitsTest {
    private static final int PROMPT_TOKENS = 100;
    private static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    /** An answer that does not say how many tokens it used. */
    private static final String COMPLETION_WITHOUT_USAGE = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
            + "\"finish_reason\":\"stop\"}]}";
    private static final int COMPLETION_TOTAL_TOKENS = 12;
    private static final Pattern PROMPT = Pattern.compile("\"content\":\"([^\"]+)\"");

    private final ProxyFixture fixture = new ProxyFixture().withRateLimits(100, DEFAULT_MAX_WAIT).withPromptTokens(PROMPT_TOKENS);

    // --- waiting for a window to slide ---

    @Test
    void givenTwoRequestsPerMinute_whenFiveArrive_thenTwoGoAtOnceAndThreeWait() {
        Backend backend = backendNamed("a").withRpm(2).build();
        fixture.given(backend);

        List<RecordingResponseSink> clients = List.of(request("r1"), request("r2"), request("r3"), request("r4"), request("r5"));

        assertEquals(List.of("r1", "r2"), sentTo(backend));
        assertEquals(3, fixture.queue().size());
        clients.subList(2, 5).forEach(c -> assertTrue(c.nothingWritten(), "a waiting client hears nothing yet"));
        assertEquals(List.of(), fixture.requestLog.all());
    }

    @Test
    void givenRequestsWaitingForTheMinute_whenItHasPassed_thenTheNextGoInArrivalOrder() {
        Backend backend = backendNamed("a").withRpm(2).build();
        fixture.given(backend);
        request("r1");
        request("r2");
        fixture.timePasses(Duration.ofSeconds(1));
        request("r3");
        fixture.timePasses(Duration.ofSeconds(1));
        request("r4");
        fixture.timePasses(Duration.ofSeconds(1));
        request("r5");

        fixture.timePasses(Duration.ofSeconds(56));
        assertEquals(List.of("r1", "r2"), sentTo(backend), "one second before the first two leave the window");

        fixture.timePasses(Duration.ofSeconds(1));
        assertEquals(List.of("r1", "r2", "r3", "r4"), sentTo(backend));
        assertEquals(1, fixture.queue().size());

        fixture.timePasses(MINUTE);
        assertEquals(List.of("r1", "r2", "r3", "r4", "r5"), sentTo(backend));
        assertEquals(0, fixture.queue().size());
        assertEquals(3, stats().admitted());
    }

    @Test
    void givenAWaitLongerThanTheMaxWait_whenTheMaxWaitPasses_thenTheClientGets429WithTheSecondsUntilCapacity() {
        ProxyFixture fixture = new ProxyFixture().withRateLimits(100, Duration.ofSeconds(10)).withPromptTokens(PROMPT_TOKENS);
        Backend backend = backendNamed("a").withRpm(1).build();
        fixture.given(backend);
        forward(fixture, "r1");
        RecordingResponseSink client = forward(fixture, "r2");

        fixture.timePasses(Duration.ofMillis(9_999));
        assertTrue(client.nothingWritten());
        fixture.timePasses(Duration.ofMillis(1));

        assertEquals(429, client.status());
        assertEquals("50", client.headers().get("retry-after"), "the minute of r1 ends 50 s later");
        assertEquals("rate_limit_exceeded", client.error().type());
        assertEquals("rate_limit_exceeded", client.error().code());
        RequestRecord record = record(fixture, "r2");
        assertEquals(429, record.status());
        assertEquals(Optional.of("queue_timeout"), record.errorType());
        assertEquals(0, fixture.queue().size());
        assertEquals(1, fixture.queue().stats().getFirst().timedOut());
        assertEquals(1, fixture.upstream.requestsSent());
    }

    @Test
    void givenARequestQueuedBehindAnother_whenTheMaxWaitPasses_thenItsRetryAfterIsAlsoTheSecondsUntilCapacity() {
        ProxyFixture fixture = new ProxyFixture().withRateLimits(100, Duration.ofSeconds(10)).withPromptTokens(PROMPT_TOKENS);
        fixture.given(backendNamed("a").withRpm(1).build());
        forward(fixture, "r1");
        RecordingResponseSink head = forward(fixture, "r2");
        RecordingResponseSink behind = fixture.forward(call("r3", 100).willingToWait(Duration.ofSeconds(5)).build());

        fixture.timePasses(Duration.ofSeconds(5));

        assertTrue(head.nothingWritten());
        assertEquals(429, behind.status());
        assertEquals("55", behind.headers().get("retry-after"), "not sooner than the backend's window slides");
    }

    @Test
    void givenAClientWillingToWaitLessThanTheDefault_thenItsOwnMaxWaitIsHonoured() {
        Backend backend = backendNamed("a").withRpm(1).build();
        fixture.given(backend);
        request("r1");
        RecordingResponseSink impatient = fixture.forward(call("r2", 100).willingToWait(Duration.ofSeconds(2)).build());

        fixture.timePasses(Duration.ofMillis(1_999));
        assertTrue(impatient.nothingWritten());
        fixture.timePasses(Duration.ofMillis(1));

        assertEquals(429, impatient.status());
        assertEquals("58", impatient.headers().get("retry-after"));
    }

    @Test
    void givenAClientWillingToWaitLongerThanTheDefault_thenTheDefaultStillBoundsTheWait() {
        ProxyFixture fixture = new ProxyFixture().withRateLimits(100, Duration.ofSeconds(10)).withPromptTokens(PROMPT_TOKENS);
        fixture.given(backendNamed("a").withRpm(1).build());
        forward(fixture, "r1");
        RecordingResponseSink patient = fixture.forward(call("r2", 100).willingToWait(Duration.ofMinutes(10)).build());

        fixture.timePasses(Duration.ofSeconds(10));

        assertEquals(429, patient.status());
    }

    // --- waiting for a request to end ---

    @Test
    void givenOneRequestAtATime_whenTheFirstEnds_thenTheSecondIsSentThatMomentAndNoneIsRefused() {
        Backend backend = backendNamed("a").withMaxConcurrent(1).build();
        fixture.given(backend);
        RecordingResponseSink first = request("r1");
        RecordingResponseSink second = request("r2");
        assertEquals(List.of("r1"), sentTo(backend));
        assertEquals(1, fixture.scheduler.pending(), "only r2's max wait: no window sliding frees a slot");

        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(List.of("r1", "r2"), sentTo(backend), "sent when r1 ended, no time passed");
        exchange(backend, "r2").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, first.status());
        assertEquals(200, second.status());
        assertEquals(List.of(200, 200), fixture.requestLog.all().stream().map(RequestRecord::status).toList());
        assertEquals(0, fixture.scheduler.pending(), "r2's max wait was cancelled when it was admitted");
        assertEquals(0, fixture.usageOf(backend).inFlight());
    }

    // --- tokens per minute: reservation, then settlement ---

    @Test
    void givenTokensPerMinute_whenTheFirstAnswerUsedFewerTokensThanReserved_thenTheWaitingRequestIsSentAtOnce() {
        Backend backend = backendNamed("a").withTpm(1000).build();
        fixture.given(backend);
        request("r1", 500);
        request("r2", 500);
        assertEquals(List.of("r1"), sentTo(backend), "600 + 600 tokens reserved would be over 1000");
        assertEquals(600, fixture.usageOf(backend).tokensLastMinute());

        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(List.of("r1", "r2"), sentTo(backend), "r1 used 12 tokens: r2's 600 fit now");
        assertEquals(COMPLETION_TOTAL_TOKENS + 600, fixture.usageOf(backend).tokensLastMinute());
    }

    @Test
    void givenTokensPerMinute_whenTheFirstAnswerDoesNotSayItsUsage_thenItsEstimateStaysAndTheNextWaitsForTheWindow() {
        Backend backend = backendNamed("a").withTpm(1000).build();
        fixture.given(backend);
        request("r1", 500);
        request("r2", 500);

        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION_WITHOUT_USAGE);

        assertEquals(List.of("r1"), sentTo(backend));
        assertEquals(600, fixture.usageOf(backend).tokensLastMinute());
        fixture.timePasses(MINUTE);
        assertEquals(List.of("r1", "r2"), sentTo(backend));
    }

    @Test
    void givenARequestThatEnded_thenItsPermitIsSettledToTheRealUsage() {
        Backend backend = backendNamed("a").withTpm(1000).withMaxConcurrent(5).withRpm(10).build();
        fixture.given(backend);
        request("r1", 500);
        assertEquals(new Limiter.Usage(1, 1, 600, 0), fixture.usageOf(backend));

        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(new Limiter.Usage(0, 1, COMPLETION_TOTAL_TOKENS, 0), fixture.usageOf(backend));
    }

    // --- what can never go ---

    @Test
    void givenARequestLargerThanTheBackendTakesInOneRequest_thenItIsRefusedAt400NamingTprAndMaxTokens() {
        Backend backend = backendNamed("a").withTpr(500).build();
        fixture.given(backend);

        RecordingResponseSink client = request("r1", 1000);

        assertEquals(400, client.status());
        assertEquals("invalid_request_error", client.error().type());
        assertEquals("max_tokens", client.error().param());
        assertTrue(client.error().message().contains("tpr 500"), client.error().message());
        assertTrue(client.error().message().contains("1100"), client.error().message());
        assertEquals(Optional.of("limit_tpr"), fixture.requestLog.only().errorType());
        assertEquals(0, fixture.upstream.requestsSent());
        assertEquals(0, fixture.queue().size());
    }

    @Test
    void givenARequestLargerThanTheTokensOfAWholeMinute_thenItIsRefusedAt400InsteadOfWaitingForever() {
        Backend backend = backendNamed("a").withTpm(1000).build();
        fixture.given(backend);

        RecordingResponseSink client = request("r1", 1000);

        assertEquals(400, client.status());
        assertEquals("max_tokens", client.error().param());
        assertTrue(client.error().message().contains("tpm 1000"), client.error().message());
        assertEquals(0, fixture.queue().size());
    }

    @Test
    void givenTwoBackendsWhereOnlyOneTakesSmallRequests_whenALargeRequestArrives_thenTheOtherServesIt() {
        Backend small = backendNamed("small").withTpr(500).build();
        Backend large = backendNamed("large").withPriority(2).build();
        fixture.given(small).given(large);

        RecordingResponseSink client = request("r1", 1000);
        exchange(large, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(200, client.status());
        assertEquals(List.of(), sentTo(small));
        assertEquals(List.of("r1"), sentTo(large));
    }

    // --- leaving the queue ---

    @Test
    void givenAQueuedClientThatDisconnects_thenItLeavesTheQueueAtOnceAndTheNextWaiterIsNotHeldUp() {
        Backend backend = backendNamed("a").withMaxConcurrent(1).build();
        fixture.given(backend);
        request("r1");
        RecordingResponseSink leaving = request("r2");
        request("r3");

        leaving.clientDisconnects();

        assertEquals(1, fixture.queue().size());
        RequestRecord gone = record(fixture, "r2");
        assertEquals(ProxyService.CLIENT_CLOSED_REQUEST, gone.status());
        assertTrue(gone.clientAborted());
        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(List.of("r1", "r3"), sentTo(backend));
        assertEquals(0, fixture.queue().size());
    }

    @Test
    void givenTheHeadWaitingForRoomForALargeRequest_whenItsClientDisconnects_thenASmallerOneBehindItGoesAtOnce() {
        Backend backend = backendNamed("a").withTpm(1000).build();
        fixture.given(backend);
        request("r1", 600);
        RecordingResponseSink large = request("r2", 500);
        request("r3", 1);

        large.clientDisconnects();

        assertEquals(List.of("r1", "r3"), sentTo(backend), "700 + 101 tokens fit; r3 only waited behind r2");
        assertEquals(0, fixture.queue().size());
    }

    // --- arrival order ---

    @Test
    void givenRequestsWaiting_whenASmallRequestArrivesThatWouldFit_thenItQueuesBehindThemAndGoesAfter() {
        Backend backend = backendNamed("a").withTpm(1000).build();
        fixture.given(backend);
        request("r1", 600);
        request("r2", 500);

        RecordingResponseSink small = request("r3", 100);

        assertTrue(small.nothingWritten());
        assertEquals(List.of("r1"), sentTo(backend), "700 + 200 would fit, but r2 came first");
        assertEquals(2, fixture.queue().size());

        exchange(backend, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(List.of("r1", "r2", "r3"), sentTo(backend));
    }

    @Test
    void givenAFullQueue_whenAnotherRequestMustWait_thenItGets429QueueFullAtOnce() {
        ProxyFixture fixture = new ProxyFixture().withRateLimits(1, DEFAULT_MAX_WAIT).withPromptTokens(PROMPT_TOKENS);
        fixture.given(backendNamed("a").withRpm(1).build());
        forward(fixture, "r1");
        RecordingResponseSink waiting = forward(fixture, "r2");

        RecordingResponseSink refused = forward(fixture, "r3");

        assertTrue(waiting.nothingWritten());
        assertEquals(429, refused.status());
        assertEquals("queue_full", refused.error().code());
        assertEquals("1", refused.headers().get("retry-after"));
        assertEquals(Optional.of("queue_full"), record(fixture, "r3").errorType());
        assertEquals(1, fixture.queue().size());
        assertEquals(1, fixture.queue().stats().getFirst().rejectedFull());
    }

    // --- limits and failover ---

    @Test
    void givenALimitedBackendAtItsLimitAndAnUnlimitedOne_thenTheUnlimitedServesAtOnceInsteadOfWaiting() {
        Backend limited = backendNamed("limited").withRpm(1).build();
        Backend unlimited = backendNamed("unlimited").withPriority(2).build();
        fixture.given(limited).given(unlimited);

        request("r1");
        RecordingResponseSink second = request("r2");

        assertEquals(List.of("r1"), sentTo(limited));
        assertEquals(List.of("r2"), sentTo(unlimited));
        assertEquals(0, fixture.queue().size());
        exchange(unlimited, "r2").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, second.status());
        assertEquals(Optional.of(unlimited.id()), record(fixture, "r2").backendId());
    }

    @Test
    void givenALimitedBackendThatFails_whenTheRequestSwitchesBackend_thenItsTokensAndSlotAreGivenBack() {
        Backend limited = backendNamed("limited").withTpm(1000).withMaxConcurrent(1).build();
        Backend other = backendNamed("other").withPriority(2).build();
        fixture.given(limited).given(other);
        RecordingResponseSink client = request("r1", 500);

        exchange(limited, "r1").answers(401, JSON_HEAD, "{\"error\":{\"message\":\"bad key\",\"type\":\"invalid_request_error\"}}");

        assertEquals(new Limiter.Usage(0, 0, 0, 0), fixture.usageOf(limited));
        exchange(other, "r1").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, client.status());
    }

    // --- a send that fails at once, right after leaving the queue ---

    @Test
    void givenARequestAdmittedFromTheQueue_whenItsSendFailsAtOnceAndNoOtherBackendIsFree_thenItWaitsAgainInItsPlace() {
        Backend a = backendNamed("a").withMaxConcurrent(1).withRetry(0).build();
        Backend b = backendNamed("b").withMaxConcurrent(1).withPriority(2).build();
        fixture.given(a).given(b);
        request("r1");
        request("r2");
        RecordingResponseSink third = request("r3");
        assertEquals(1, fixture.queue().size());
        refuseNextConnection();

        exchange(a, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(List.of("r1", "r3"), sentTo(a), "r3 was admitted at a, whose connection failed");
        assertEquals(1, fixture.queue().size(), "b is busy: r3 waits again");
        assertTrue(third.nothingWritten());
        assertEquals(0, fixture.usageOf(a).inFlight(), "the failed attempt gave its slot back");
        exchange(b, "r2").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(List.of("r2", "r3"), sentTo(b));
        assertEquals(0, fixture.queue().size());
        exchange(b, "r3").answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, third.status());
    }

    @Test
    void givenARequestAdmittedFromTheQueue_whenItsSendFailsAtOnceAndItRetriesAfterABackoff_thenItHasLeftTheQueue() {
        Backend a = backendNamed("a").withMaxConcurrent(1).withRetry(1).build();
        fixture.given(a);
        request("r1");
        RecordingResponseSink second = request("r2");
        refuseNextConnection();

        exchange(a, "r1").answers(200, JSON_HEAD, COMPLETION);

        assertEquals(0, fixture.queue().size(), "admitted: it only waits for its backoff now");
        assertEquals(1, stats().admitted());
        fixture.timePasses(Duration.ofSeconds(5));
        assertEquals(List.of("r1", "r2", "r2"), sentTo(a));
        fixture.upstream.latest().answers(200, JSON_HEAD, COMPLETION);
        assertEquals(200, second.status());
    }

    /** The next connection to a backend is refused while the proxy is still sending (then they succeed again). */
    private void refuseNextConnection() {
        boolean[] refused = {false};
        fixture.upstream.answersDuringSend(listener -> {
            if (!refused[0]) {
                refused[0] = true;
                listener.onFailure(new UpstreamFailure(UpstreamFailure.Kind.CONNECT, "connection refused"));
            }
        });
    }

    private static BackendTestData.Builder backendNamed(String name) {
        return aBackend().named(name).servingModel("gpt-4o");
    }

    private RecordingResponseSink request(String id) {
        return request(id, 100);
    }

    /** A request whose prompt is its id (so the backend side can tell requests apart) asking for {@code maxTokens}. */
    private RecordingResponseSink request(String id, int maxTokens) {
        return fixture.forward(call(id, maxTokens).build());
    }

    private static RecordingResponseSink forward(ProxyFixture fixture, String id) {
        return fixture.forward(call(id, 100).build());
    }

    private static ProxyCallTestData.CallBuilder call(String id, int maxTokens) {
        return aCall().withKey(ProxyFixture.LIVE_KEY).withRequestId(id)
                .withBody(aChatRequest().withPrompt(id).withMaxTokens(maxTokens));
    }

    /** The requests a backend received, by id, in the order they were sent. */
    private List<String> sentTo(Backend backend) {
        return fixture.upstream.sentTo(backend).stream().map(ProxyServiceLimitsTest::idOf).toList();
    }

    private BackendSide exchange(Backend backend, String id) {
        return fixture.upstream.sentTo(backend).stream().filter(e -> idOf(e).equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " was not sent to " + backend.name()));
    }

    private static String idOf(BackendSide exchange) {
        Matcher m = PROMPT.matcher(exchange.requestBody());
        return m.find() ? m.group(1) : exchange.requestBody();
    }

    private static RequestRecord record(ProxyFixture fixture, String id) {
        return fixture.requestLog.all().stream().filter(r -> r.requestId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no record of " + id + " in " + fixture.requestLog.all()));
    }

    private LineStats stats() {
        return fixture.queue().stats().getFirst();
    }

}
