package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing and failover as the README states them, seen from an OpenAI client (the official SDK,
 * without its own retries) against several fake backends that fail on purpose. Every test checks
 * three things: what the client gets, which backends were tried in which order (what the fakes
 * received), and what the request log holds (the admin API's view of the request and its attempts).
 * Each test has fresh fakes and a public model of its own, so backend health never carries over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverEndToEndTest {
    private static final int SLOW_TIMEOUT_MS = 300;
    private static final String OK = "stub-ok";

    private Gateway gateway;
    private String clientKey;
    private OpenAIClient openAi;
    private StubUpstream a;
    private StubUpstream b;
    private StubUpstream c;
    private ResetUpstream resetting;
    /** The public model of the current test. */
    private String model;

    /** A backend created through the admin API. */
    private record Created(String id, String name, BackendSpec spec) {
    }

    @BeforeAll
    void startGateway() {
        gateway = Gateway.start(Map.of(
                // short backoffs keep retries fast; the rules, not the waits, are under test
                "sluice.routing.backoff-base", "10ms",
                "sluice.routing.backoff-max", "50ms",
                "sluice.routing.request-deadline", "20s",
                "sluice.health.circuit.base-cooldown", "1s"));
        clientKey = gateway.admin().newAppKey();
        openAi = gateway.openAi(clientKey);
    }

    @AfterAll
    void stopGateway() {
        if (openAi != null) {
            openAi.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @BeforeEach
    void startBackends() {
        a = StubUpstream.start("A");
        b = StubUpstream.start("B");
        c = StubUpstream.start("C");
        model = "failover-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopBackends() {
        Stream.of(a, b, c).forEach(StubUpstream::close);
        if (resetting != null) {
            resetting.close();
            resetting = null;
        }
    }

    @Test
    void givenBackendFailsOnceWith500_whenCalling_thenTheSameBackendIsRetriedAndTheAnswerDelivered() {
        Created first = create(backend("A").at(a).withPriority(1).serving(model, StubUpstream.Behaviour.SERVER_ERROR_ONCE.model));
        create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion));
        assertEquals(List.of("A", "A"), tried(requestId), "a 5xx is retried on the same backend");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(first.name(), log.get("backend").asText());
        assertTrue(log.get("errorType").isNull());
        assertEquals(List.of(first.name() + " 500", first.name() + " 200"), attempts(log));
        assertEquals(StubUpstream.TOTAL_TOKENS, log.get("usage").get("totalTokens").asInt());
    }

    @Test
    void givenBackendAlways503_whenCalling_thenItIsRetriedTwiceAndTheNextBackendServes() {
        Created first = create(backend("A").at(a).withPriority(1).withRetry(2).serving(model, StubUpstream.Behaviour.SERVER_ERROR.model));
        Created second = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion));
        assertEquals(List.of("A", "A", "A", "B"), tried(requestId));
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(second.name(), log.get("backend").asText());
        assertEquals(List.of(first.name() + " 503", first.name() + " 503", first.name() + " 503", second.name() + " 200"),
                attempts(log));
        assertEquals(List.of(1, 2, 3, 4), attemptNumbers(log));
    }

    @Test
    void givenBackendAnswers429WithRetryAfter_whenCalling_thenTheNextBackendServesAndTheFirstCoolsDown() {
        Created limited = create(backend("A").at(a).withPriority(1).serving(model, StubUpstream.Behaviour.RATE_LIMITED.model));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String firstId = newRequestId();
        long started = System.nanoTime();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, firstId));

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(StubUpstream.CONTENT, content(completion));
        assertTrue(took.toMillis() < 2_000, "switched at once, without waiting for Retry-After: " + took.toMillis() + " ms");
        assertEquals(List.of("A", "B"), tried(firstId), "a 429 is not retried on the same backend");
        JsonNode firstLog = gateway.admin().awaitRequest(firstId);
        assertEquals(200, firstLog.get("status").asInt());
        assertEquals(other.name(), firstLog.get("backend").asText());
        assertEquals(List.of(limited.name() + " 429", other.name() + " 200"), attempts(firstLog));

        JsonNode health = gateway.admin().backendHealth(limited.id());
        assertFalse(health.get("available").asBoolean(), "cooling down: " + health);
        Instant until = instant(health.get("coolingDownUntil"));
        long retryAfterMillis = Long.parseLong(StubUpstream.RETRY_AFTER_SECONDS) * 1000;
        Instant now = Instant.now();
        assertTrue(until.isAfter(now.plusMillis(retryAfterMillis - 3_000)) && until.isBefore(now.plusMillis(retryAfterMillis + 1_000)),
                "cooling down for the backend's Retry-After: until " + until + ", now " + now);

        String secondId = newRequestId();
        assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, secondId))));

        assertEquals(List.of("B"), tried(secondId), "the cooling-down backend is skipped");
        assertEquals(List.of(other.name() + " 200"), attempts(gateway.admin().awaitRequest(secondId)));
        assertEquals(1, a.requestsFor(StubUpstream.Behaviour.RATE_LIMITED.model).size());
    }

    @Test
    void givenBackendRefusesTheGatewaysKey_whenCalling_thenTheNextBackendServesAtOnce() {
        Created refusing = create(backend("A").at(a).withPriority(1).withApiKey("sk-revoked-upstream-key")
                .serving(model, StubUpstream.Behaviour.UNAUTHORIZED.model));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion));
        assertEquals(List.of("A", "B"), tried(requestId), "a 401 is not retried on the same backend");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(List.of(refusing.name() + " 401", other.name() + " 200"), attempts(log));
    }

    @Test
    void givenBackendRefusesConnections_whenCalling_thenItIsRetriedThenTheNextBackendServes() {
        Created closed = create(backend("A").at("http://127.0.0.1:" + closedPort() + "/v1").withPriority(1).withRetry(2)
                .serving(model, OK));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion));
        assertEquals(List.of("B"), tried(requestId), "nothing listens behind A");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(other.name(), log.get("backend").asText());
        assertEquals(List.of(closed.name() + " connect", closed.name() + " connect", closed.name() + " connect",
                other.name() + " 200"), attempts(log));
    }

    @Test
    void givenBackendResetsTheConnection_whenCalling_thenItIsRetriedThenTheNextBackendServes() {
        resetting = ResetUpstream.start();
        Created reset = create(backend("A").at(resetting.baseUrl()).withPriority(1).withRetry(1).serving(model, OK));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion));
        assertEquals(List.of("A", "A", "B"), tried(requestId), "the first try and one retry reached A, each reset");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(List.of(reset.name() + " reset", reset.name() + " reset", other.name() + " 200"), attempts(log));
    }

    @Test
    void givenBackendSlowerThanItsTimeout_whenCalling_thenTheNextBackendServesAndTheSlowOneIsTriedOnce() {
        Created slow = create(backend("A").at(a).withPriority(1).withRetry(2).withTimeoutMs(SLOW_TIMEOUT_MS)
                .serving(model, StubUpstream.Behaviour.SLOW.model));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();
        long started = System.nanoTime();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(StubUpstream.CONTENT, content(completion));
        assertTrue(tookMillis >= SLOW_TIMEOUT_MS - 50 && tookMillis < StubUpstream.SLOW_DELAY.toMillis(),
                "answered after " + tookMillis + " ms");
        assertEquals(List.of("A", "B"), tried(requestId), "a timeout is not retried on the same backend");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertEquals(List.of(slow.name() + " timeout", other.name() + " 200"), attempts(log));
        long slowAttemptMicros = log.get("attempts").get(0).get("latencyUs").asLong();
        assertTrue(slowAttemptMicros >= (SLOW_TIMEOUT_MS - 50) * 1000L && slowAttemptMicros < StubUpstream.SLOW_DELAY.toNanos() / 1000,
                "the slow attempt lasted its timeout: " + slowAttemptMicros + " us");
    }

    @Test
    void givenStreamDropsAfterThreeChunks_whenStreaming_thenDeltasThenAnErrorEventAndTheUsageSoFarIsLogged() {
        Created dropping = create(backend("A").at(a).withPriority(1)
                .serving(model, StubUpstream.Behaviour.DROP_STREAM_WITH_USAGE.model));
        create(backend("B").at(b).withPriority(2).serving(model, OK));
        String requestId = newRequestId();
        List<String> deltas = new ArrayList<>();

        SseException e;
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(model, requestId))) {
            e = assertThrows(SseException.class, () -> stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .forEach(choice -> choice.delta().content().ifPresent(deltas::add)));
        }

        assertEquals(StubUpstream.DELTAS, deltas, "the three chunks sent before the drop reach the client");
        assertEquals(Optional.of("backend_error"), e.code(), "the stream ends with one error event");
        assertEquals(List.of("A"), tried(requestId), "a stream that has begun cannot fail over");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt(), "the head had gone out as 200");
        assertTrue(log.get("stream").asBoolean());
        assertFalse(log.get("clientAborted").asBoolean());
        assertEquals("stream_interrupted_reset", log.get("errorType").asText());
        assertFalse(log.get("ttftUs").isNull());
        JsonNode usage = log.get("usage");
        assertFalse(usage.isNull(), "the usage seen before the drop is recorded: " + log);
        assertEquals(StubUpstream.PROMPT_TOKENS, usage.get("promptTokens").asInt());
        assertEquals(StubUpstream.DELTAS.size(), usage.get("completionTokens").asInt());
        assertEquals(StubUpstream.PROMPT_TOKENS + StubUpstream.DELTAS.size(), usage.get("totalTokens").asInt());
        assertEquals(List.of(dropping.name() + " 200 reset"), attempts(log));
    }

    @Test
    void givenClientAbortsMidStream_whenStreaming_thenTheBackendRequestIsCancelledAndLoggedAs499() throws Exception {
        Created endless = create(backend("A").at(a).serving(model, StubUpstream.Behaviour.ENDLESS_STREAM.model));
        String requestId = newRequestId();
        CompletableFuture<Long> abandoned = a.resetEndlessStreamWatch();
        long closedAt;

        StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(model, requestId));
        try (Stream<ChatCompletionChunk> chunks = stream.stream()) {
            Iterator<ChatCompletionChunk> it = chunks.iterator();
            for (int i = 0; i < 3; i++) {
                assertTrue(it.hasNext());
                assertEquals(Optional.of("tick"), it.next().choices().getFirst().delta().content());
            }
        } finally {
            stream.close();
            closedAt = System.nanoTime();
        }

        long noticedAt = abandoned.get(5, TimeUnit.SECONDS);
        Duration delay = Duration.ofNanos(noticedAt - closedAt);
        assertTrue(delay.compareTo(Duration.ofSeconds(2)) < 0, "the backend noticed after " + delay.toMillis() + " ms");
        assertEquals(List.of("A"), tried(requestId));
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(499, log.get("status").asInt());
        assertTrue(log.get("clientAborted").asBoolean());
        assertTrue(log.get("stream").asBoolean());
        assertEquals("client_closed", log.get("errorType").asText());
        assertEquals(endless.name(), log.get("backend").asText());
        JsonNode attempts = log.get("attempts");
        assertEquals(1, attempts.size(), log.toString());
        assertEquals(endless.name(), attempts.get(0).get("backend").asText());
        assertEquals("client_closed", attempts.get(0).get("error").asText());
    }

    @Test
    void givenEveryBackendDown_whenCalling_thenBadGatewaySayingHowManyWereTriedWithoutUrlsOrKeys() {
        int closedPort = closedPort();
        Created failing = create(backend("A").at(a).withPriority(1).withRetry(0).withApiKey("sk-upstream-secret-aaaa1111")
                .serving(model, StubUpstream.Behaviour.SERVER_ERROR.model));
        Created unreachable = create(backend("B").at("http://127.0.0.1:" + closedPort + "/v1").withPriority(2).withRetry(0)
                .withApiKey("sk-upstream-secret-bbbb2222").serving(model, OK));
        String requestId = newRequestId();

        InternalServerException e = assertThrows(InternalServerException.class,
                () -> openAi.chat().completions().create(chat(model, requestId)));

        assertEquals(502, e.statusCode());
        assertEquals(Optional.of("no_backend_available"), e.code());
        String message = e.getMessage();
        assertTrue(message.contains("2 backend"), "the message says how many backends were tried: " + message);
        HttpResponse<String> raw = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of("Authorization", "Bearer " + clientKey));
        assertEquals(502, raw.statusCode());
        String everything = message + "\n" + raw.headers().map() + "\n" + raw.body();
        for (String secret : List.of("127.0.0.1", "localhost", "http://", String.valueOf(a.port()), String.valueOf(closedPort),
                "sk-upstream-secret", "aaaa1111", "bbbb2222", "overloaded")) {
            assertFalse(everything.contains(secret), "the answer must not contain '" + secret + "': " + everything);
        }
        assertEquals(List.of("A"), tried(requestId));
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(502, log.get("status").asInt());
        assertEquals("no_backend_available", log.get("errorType").asText());
        assertEquals(List.of(failing.name() + " 503", unreachable.name() + " connect"), attempts(log));
        assertFalse(log.toString().contains("sk-upstream-secret"), "no backend key in the request log: " + log);
    }

    @Test
    void givenPrioritiesAndWeights_whenSending40Requests_thenSharesFollowTheWeightsAndTheLowerPriorityWaits() {
        BackendSpec specA = backend("A").at(a).withPriority(1).withWeight(3).serving(model, "upstream-a");
        BackendSpec specB = backend("B").at(b).withPriority(1).withWeight(1).serving(model, "upstream-b");
        Created first = create(specA);
        Created second = create(specB);
        Created fallback = create(backend("C").at(c).withPriority(2).withWeight(10).serving(model, "upstream-c"));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String requestId = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, requestId))));
            order.addAll(tried(requestId));
        }

        assertEquals(30, a.requestsFor("upstream-a").size());
        assertEquals(10, b.requestsFor("upstream-b").size());
        assertEquals(0, c.requestsFor("upstream-c").size(), "priority 2 is only for when priority 1 has nothing left");
        for (int i = 0; i < 40; i += 4) {
            List<String> window = order.subList(i, i + 4);
            assertEquals(1, window.stream().filter("B"::equals).count(), "smooth: one B in every 4 requests, got " + order);
        }

        gateway.admin().updateBackend(first.id(), specA.disabled());
        gateway.admin().updateBackend(second.id(), specB.disabled());
        String requestId = newRequestId();
        assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, requestId))));

        assertEquals(List.of("C"), tried(requestId));
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(fallback.name(), log.get("backend").asText());
        assertEquals(List.of(fallback.name() + " 200"), attempts(log));
    }

    @Test
    void givenActiveHealthCheckFails_whenChecked_thenTheBackendIsSkippedUntilTheCheckPassesAgain() {
        a.failModelList(true);
        Created checked = create(backend("A").at(a).withPriority(1).withHealthCheck(1_000, 500).serving(model, OK));
        Created other = create(backend("B").at(b).withPriority(2).serving(model, OK));
        try {
            JsonNode down = Poll.until("A's health check to open its circuit", Duration.ofSeconds(5), () -> {
                JsonNode h = gateway.admin().backendHealth(checked.id());
                return "OPEN".equals(h.get("state").asText()) && !h.get("available").asBoolean() ? Optional.of(h) : Optional.empty();
            });
            assertTrue(down.get("lastError").asText().contains("503"), down.toString());
            assertFalse(a.requestsMatching(r -> r.path().equals("/v1/models")).isEmpty());

            String skippedId = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, skippedId))));
            assertEquals(List.of("B"), tried(skippedId), "a backend whose check fails is out of rotation");
            assertEquals(List.of(other.name() + " 200"), attempts(gateway.admin().awaitRequest(skippedId)));

            // it stays out while its checks keep failing (this part only tells something once the circuit's
            // base cooldown, 10 s by default, is shorter than the wait: "sluice.health.circuit.base-cooldown" = "1s")
            int checksSoFar = a.requestsMatching(r -> r.path().equals("/v1/models")).size();
            Poll.until("two more failing checks", Duration.ofSeconds(5),
                    () -> a.requestsMatching(r -> r.path().equals("/v1/models")).size() >= checksSoFar + 2);
            JsonNode stillDown = gateway.admin().backendHealth(checked.id());
            assertFalse(stillDown.get("available").asBoolean(), stillDown.toString());
            String stillSkippedId = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, stillSkippedId))));
            assertEquals(List.of("B"), tried(stillSkippedId));

            a.failModelList(false);
            JsonNode up = Poll.until("A's health check to close its circuit", Duration.ofSeconds(5), () -> {
                JsonNode h = gateway.admin().backendHealth(checked.id());
                return "CLOSED".equals(h.get("state").asText()) && h.get("available").asBoolean() ? Optional.of(h) : Optional.empty();
            });
            assertNotNull(up.get("lastChange"));

            // the history keeps the outage: opened by the failing check, closed by the passing one (newest first)
            List<JsonNode> history = gateway.admin().backendHealthHistory(checked.id());
            assertEquals("CLOSED", history.getFirst().get("kind").asText(), history.toString());
            assertEquals("health check succeeded", history.getFirst().get("reason").asText());
            JsonNode opened = history.getLast();
            assertEquals("OPENED", opened.get("kind").asText(), history.toString());
            assertTrue(opened.get("reason").asText().contains("503"), opened.toString());
            assertNotNull(opened.get("until"), "when it may be probed again");

            String backId = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat(model, backId))));
            assertEquals(List.of("A"), tried(backId), "the recovered backend is back in rotation");
            assertEquals(List.of(checked.name() + " 200"), attempts(gateway.admin().awaitRequest(backId)));
        } finally {
            gateway.admin().deleteBackend(checked.id()); // no more checks at a stub that is about to close
        }
    }

    @Test
    void givenStreamOnlyBackend_whenCallingWithoutStream_thenAnOrdinaryCompletionWithContentAndUsage() {
        Created streamOnly = create(backend("A").at(a).streamOnly().serving(model, StubUpstream.Behaviour.STREAM_ONLY.model));
        String requestId = newRequestId();

        ChatCompletion completion = openAi.chat().completions().create(chat(model, requestId));

        assertEquals(StubUpstream.CONTENT, content(completion), "the streamed deltas, concatenated");
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().getFirst().finishReason());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertEquals(StubUpstream.PROMPT_TOKENS, usage.promptTokens());
        assertEquals(StubUpstream.COMPLETION_TOKENS, usage.completionTokens());
        assertEquals(StubUpstream.TOTAL_TOKENS, usage.totalTokens());
        List<StubUpstream.Recorded> sent = a.requestsMatching(r -> r.body().contains(requestId));
        assertEquals(1, sent.size());
        assertTrue(sent.getFirst().body().replace(" ", "").contains("\"stream\":true"), "asked the backend for a stream");
        assertTrue(sent.getFirst().includeUsage(), "and for its usage");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertFalse(log.get("stream").asBoolean(), "the client did not stream");
        assertEquals(StubUpstream.TOTAL_TOKENS, log.get("usage").get("totalTokens").asInt());
        assertEquals(List.of(streamOnly.name() + " 200"), attempts(log));
    }

    @Test
    void givenNonStreamOnlyBackend_whenStreaming_thenTheAnswerIsReplayedAsACorrectEventStream() {
        Created nonStreamOnly = create(backend("A").at(a).nonStreamOnly().serving(model, StubUpstream.Behaviour.NON_STREAM_ONLY.model));
        String requestId = newRequestId();
        List<ChatCompletionChunk> chunks;

        ChatCompletionCreateParams params = chat(model, requestId).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
            chunks = stream.stream().toList();
        }

        StringBuilder content = new StringBuilder();
        chunks.forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(content::append)));
        assertEquals(StubUpstream.CONTENT, content.toString());
        assertTrue(chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .anyMatch(choice -> choice.finishReason().map(ChatCompletionChunk.Choice.FinishReason.STOP::equals).orElse(false)));
        CompletionUsage usage = chunks.getLast().usage().orElseThrow(() -> new AssertionError("usage was asked for: " + chunks));
        assertEquals(StubUpstream.TOTAL_TOKENS, usage.totalTokens());
        List<StubUpstream.Recorded> sent = a.requestsMatching(r -> r.body().contains(requestId));
        assertEquals(1, sent.size());
        assertFalse(sent.getFirst().body().replace(" ", "").contains("\"stream\":true"), "the backend was asked without a stream");
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(200, log.get("status").asInt());
        assertTrue(log.get("stream").asBoolean());
        assertEquals(StubUpstream.TOTAL_TOKENS, log.get("usage").get("totalTokens").asInt());
        assertEquals(List.of(nonStreamOnly.name() + " 200"), attempts(log));

        // on the wire: an event stream that ends with [DONE]
        HttpResponse<String> raw = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of("Authorization", "Bearer " + clientKey, "Content-Type", "application/json"));
        assertEquals(200, raw.statusCode());
        assertTrue(raw.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"), raw.headers().toString());
        assertTrue(raw.body().startsWith("data: "), raw.body());
        assertTrue(raw.body().endsWith("data: [DONE]\n\n"), raw.body());
        assertEquals(1, raw.body().split("data: \\[DONE]", -1).length - 1, raw.body());
    }

    @Test
    void givenAutoModel_whenItsFirstModelHasNoBackendLeft_thenTheSecondModelServes() {
        String m1 = model + "-m1";
        String m2 = model + "-m2";
        BackendSpec specA = backend("A").at(a).serving(m1, "upstream-m1");
        Created first = create(specA);
        Created second = create(backend("B").at(b).serving(m2, "upstream-m2"));
        gateway.admin().putAutoModels(List.of(m1, m2));
        try {
            assertEquals(List.of(m1, m2), textList(gateway.admin().get("/models/auto").json().get("models")));
            List<String> listed = openAi.models().list().data().stream().map(Model::id).toList();
            assertTrue(listed.contains("auto"), "auto is listed: " + listed);

            String viaFirst = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat("auto", viaFirst))));
            assertEquals(List.of("A"), tried(viaFirst));
            JsonNode firstLog = gateway.admin().awaitRequest(viaFirst);
            assertEquals(m1, firstLog.get("model").asText());
            assertEquals(List.of(first.name() + " 200"), attempts(firstLog));

            gateway.admin().updateBackend(first.id(), specA.disabled());
            String viaSecond = newRequestId();
            assertEquals(StubUpstream.CONTENT, content(openAi.chat().completions().create(chat("auto", viaSecond))));

            assertEquals(List.of("B"), tried(viaSecond));
            assertEquals(1, b.requestsFor("upstream-m2").size(), "the backend was asked for its own model name");
            JsonNode secondLog = gateway.admin().awaitRequest(viaSecond);
            assertEquals(200, secondLog.get("status").asInt());
            assertEquals(m2, secondLog.get("model").asText());
            assertEquals(second.name(), secondLog.get("backend").asText());
            assertEquals(List.of(second.name() + " 200"), attempts(secondLog));
        } finally {
            gateway.admin().putAutoModels(List.of());
        }
    }

    @Test
    void givenClientSendsXRequestId_whenCalling_thenItIsTheIdOfTheAnswerAndOfTheRequestLog() {
        Created only = create(backend("A").at(a).serving(model, OK));
        String requestId = "client-chosen-" + UUID.randomUUID();

        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse().create(chat(model, requestId));

        assertEquals(List.of(requestId), response.headers().values("x-request-id"));
        assertEquals(StubUpstream.CONTENT, content(response.parse()));
        JsonNode log = gateway.admin().awaitRequest(requestId);
        assertEquals(requestId, log.get("requestId").asText());
        assertEquals(model, log.get("model").asText());
        assertEquals(only.name(), log.get("backend").asText());

        // without one, the gateway's own id is the key of the request log
        HttpResponseFor<ChatCompletion> anonymous = openAi.chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").build());
        String issued = anonymous.headers().values("x-request-id").getFirst();
        assertTrue(issued.matches("req_[0-9a-f]{32}"), issued);
        assertEquals(issued, gateway.admin().awaitRequest(issued).get("requestId").asText());
    }

    // --- helpers ---

    private BackendSpec backend(String label) {
        return aBackend().named(label + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private Created create(BackendSpec spec) {
        return new Created(gateway.admin().createBackend(spec), spec.name(), spec);
    }

    /** The labels of the fake backends that received the request, in arrival order. */
    private List<String> tried(String requestId) {
        record Hit(long arrival, String label) {
        }
        List<Hit> hits = new ArrayList<>();
        for (StubUpstream stub : List.of(a, b, c)) {
            stub.requestsMatching(r -> r.body().contains(requestId)).forEach(r -> hits.add(new Hit(r.arrival(), stub.label())));
        }
        if (resetting != null) {
            resetting.requests().stream().filter(r -> r.body().contains(requestId)).forEach(r -> hits.add(new Hit(r.arrival(), "A")));
        }
        return hits.stream().sorted(Comparator.comparingLong(Hit::arrival)).map(Hit::label).toList();
    }

    /** The attempts of a request log entry, each as "backend status", "backend error" or "backend status error". */
    private static List<String> attempts(JsonNode log) {
        List<String> out = new ArrayList<>();
        for (JsonNode attempt : log.get("attempts")) {
            StringBuilder text = new StringBuilder(attempt.get("backend").asText());
            if (!attempt.get("status").isNull()) {
                text.append(' ').append(attempt.get("status").asInt());
            }
            if (!attempt.get("error").isNull()) {
                text.append(' ').append(attempt.get("error").asText());
            }
            out.add(text.toString());
        }
        return out;
    }

    private static List<Integer> attemptNumbers(JsonNode log) {
        List<Integer> out = new ArrayList<>();
        log.get("attempts").forEach(attempt -> out.add(attempt.get("number").asInt()));
        return out;
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.asText()));
        return out;
    }

    /** An instant as the admin API writes it: ISO-8601 text, or epoch seconds (with a fraction) or milliseconds. */
    private static Instant instant(JsonNode node) {
        assertNotNull(node);
        assertFalse(node.isNull(), "no instant");
        if (node.isTextual()) {
            return Instant.parse(node.asText());
        }
        BigDecimal value = node.decimalValue();
        if (value.compareTo(BigDecimal.valueOf(100_000_000_000L)) > 0) {
            return Instant.ofEpochMilli(value.longValue());
        }
        return Instant.ofEpochSecond(value.longValue(), value.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    private static String content(ChatCompletion completion) {
        return completion.choices().getFirst().message().content().orElseThrow();
    }

    private static ChatCompletionCreateParams chat(String model, String requestId) {
        // the prompt carries the request id, so each backend's copy of the request can be found
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello " + requestId)
                .putAdditionalHeader("X-Request-Id", requestId).build();
    }

    private static String newRequestId() {
        return "e2e-failover-" + UUID.randomUUID();
    }

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
