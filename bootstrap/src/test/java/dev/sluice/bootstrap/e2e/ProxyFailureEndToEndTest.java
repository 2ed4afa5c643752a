package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an OpenAI client gets when something goes wrong: its own mistakes, and a backend's. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyFailureEndToEndTest {
    private static final String OK_MODEL = "failures-ok";
    private static final String RATE_LIMITED_MODEL = "failures-rate-limited";
    private static final String RATE_LIMITED_STREAM_MODEL = "failures-rate-limited-stream";
    private static final String SERVER_ERROR_MODEL = "failures-server-error";
    private static final String DROP_STREAM_MODEL = "failures-drop-stream";
    private static final String ENDLESS_STREAM_MODEL = "failures-endless-stream";
    private static final String SLOW_MODEL = "failures-slow";
    private static final String STALL_STREAM_MODEL = "failures-stall-stream";
    private static final String PATIENT_SLOW_MODEL = "failures-slow-patient";
    private static final String UNREACHABLE_MODEL = "failures-unreachable";
    private static final int BACKEND_TIMEOUT_MS = 300;
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private StubUpstream stub;
    private Gateway gateway;
    /** Each failing behaviour has a backend of its own, so one test's failures cannot cool down another's backend. */
    private final Map<String, String> backendByModel = new HashMap<>();
    private String clientKey;
    private OpenAIClient openAi;

    @BeforeAll
    void startGateway() {
        stub = StubUpstream.start();
        // small backoffs: a backend that keeps failing is retried quickly
        gateway = Gateway.start(Map.of("sluice.proxy.max-body-bytes", MAX_BODY_BYTES,
                "sluice.routing.backoff-base", "10ms", "sluice.routing.backoff-max", "50ms"));
        serveAlone(OK_MODEL, aBackend().at(stub), "stub-ok");
        serveAlone(RATE_LIMITED_MODEL, aBackend().at(stub), StubUpstream.Behaviour.RATE_LIMITED.model);
        serveAlone(RATE_LIMITED_STREAM_MODEL, aBackend().at(stub), StubUpstream.Behaviour.RATE_LIMITED.model);
        serveAlone(SERVER_ERROR_MODEL, aBackend().at(stub), StubUpstream.Behaviour.SERVER_ERROR.model);
        serveAlone(DROP_STREAM_MODEL, aBackend().at(stub), StubUpstream.Behaviour.DROP_STREAM.model);
        serveAlone(ENDLESS_STREAM_MODEL, aBackend().at(stub), StubUpstream.Behaviour.ENDLESS_STREAM.model);
        serveAlone(PATIENT_SLOW_MODEL, aBackend().at(stub), StubUpstream.Behaviour.SLOW.model);
        serveAlone(SLOW_MODEL, aBackend().at(stub).withTimeoutMs(BACKEND_TIMEOUT_MS), StubUpstream.Behaviour.SLOW.model);
        serveAlone(STALL_STREAM_MODEL, aBackend().at(stub).withTimeoutMs(BACKEND_TIMEOUT_MS),
                StubUpstream.Behaviour.STALL_STREAM.model);
        serveAlone(UNREACHABLE_MODEL, aBackend().at("http://127.0.0.1:" + closedPort() + "/v1"), "anything");
        clientKey = gateway.admin().newAppKey();
        openAi = gateway.openAi(clientKey);
    }

    private void serveAlone(String publicModel, BackendSpec backend, String upstreamModel) {
        gateway.admin().createBackend(backend.serving(publicModel, upstreamModel));
        backendByModel.put(publicModel, backend.name());
    }

    @AfterAll
    void stopGateway() {
        if (openAi != null) {
            openAi.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void givenUnknownKey_whenCalling_thenUnauthorizedAndNothingIsForwarded() {
        String requestId = newRequestId();

        OpenAIClient stranger = gateway.openAi("sk-sluice-not-a-real-key-000000000000000000000000");
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> stranger.chat().completions().create(chat(OK_MODEL, requestId)));
            assertEquals(401, e.statusCode());
            assertEquals(Optional.of("invalid_api_key"), e.code());
            assertEquals(List.of(requestId), e.headers().values("x-request-id"));
        } finally {
            stranger.close();
        }

        assertEquals(List.of(), stub.requestsMatching(r -> r.body().contains(requestId)),
                "a refused request never reaches a backend");
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(401, row.status());
        assertNull(row.appId());
        assertNull(row.backendName());
    }

    @Test
    void givenNoKey_whenCallingWithPlainHttp_thenUnauthorizedInTheOpenAiErrorShape() {
        HttpResponse<String> response = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + OK_MODEL + "\",\"messages\":[]}", Map.of("Content-Type", "application/json"));

        assertEquals(401, response.statusCode());
        assertEquals("missing_api_key", error(response).get("code").asText());
        assertTrue(response.headers().firstValue("x-request-id").isPresent());
    }

    @Test
    void givenUnknownPathOrWrongMethod_whenCalling_thenOpenAiShapedErrors() {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + clientKey);

        HttpResponse<String> unknown = gateway.proxy("POST", "/v1/images/generations", "{}", auth);
        HttpResponse<String> wrongMethod = gateway.proxy("GET", "/v1/chat/completions", null, auth);

        assertEquals(404, unknown.statusCode());
        assertEquals("unknown_url", error(unknown).get("code").asText());
        assertTrue(unknown.headers().firstValue("x-request-id").isPresent());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("method_not_allowed", error(wrongMethod).get("code").asText());
    }

    @Test
    void givenUnknownModel_whenCalling_thenNotFoundWithModelNotFoundCode() {
        String requestId = newRequestId();

        NotFoundException e = assertThrows(NotFoundException.class,
                () -> openAi.chat().completions().create(chat("no-such-model", requestId)));

        assertEquals(404, e.statusCode());
        assertEquals(Optional.of("model_not_found"), e.code());
        assertEquals(Optional.of("model"), e.param());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(404, row.status());
        assertEquals("no-such-model", row.model());
        assertNotNull(row.appId(), "the caller was authenticated");
        assertNull(row.backendName());
    }

    @Test
    void givenMalformedJson_whenCalling_thenBadRequestInTheOpenAiErrorShape() {
        String requestId = newRequestId();

        HttpResponse<String> response = gateway.proxy("POST", "/v1/chat/completions", "{\"model\": \"" + OK_MODEL + "\",",
                Map.of("Authorization", "Bearer " + clientKey, "Content-Type", "application/json", "X-Request-Id", requestId));

        assertEquals(400, response.statusCode());
        assertEquals(Optional.of(requestId), response.headers().firstValue("x-request-id"));
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode error = error(response);
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals("invalid_json", error.get("code").asText());
        assertFalse(error.get("message").asText().isBlank());
        assertTrue(error.has("param"), "the OpenAI error shape always has param: " + response.body());
        assertEquals(400, gateway.awaitRequestLog(requestId).status());
    }

    @Test
    void givenMissingModel_whenCallingThroughTheSdk_thenBadRequest() {
        // an empty model string is what an SDK can send by mistake
        BadRequestException e = assertThrows(BadRequestException.class, () -> openAi.chat().completions().create(
                ChatCompletionCreateParams.builder().model("").addUserMessage("hi").build()));

        assertEquals(400, e.statusCode());
        assertEquals(Optional.of("model"), e.param());
    }

    @Test
    void givenBackendOnAClosedPort_whenCalling_thenBadGatewayAndNoTokensAreLogged() {
        String requestId = newRequestId();

        InternalServerException e = assertThrows(InternalServerException.class,
                () -> openAi.chat().completions().create(chat(UNREACHABLE_MODEL, requestId)));

        assertEquals(502, e.statusCode());
        assertEquals(Optional.of("backend_unreachable"), e.code());
        assertFalse(e.getMessage().contains("127.0.0.1"), "no internal address in the message: " + e.getMessage());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(502, row.status());
        assertEquals(backendByModel.get(UNREACHABLE_MODEL), row.backendName());
        assertEquals("backend_unreachable", row.errorType());
        assertNull(row.promptTokens());
        assertNull(row.completionTokens());
        assertNull(row.totalTokens());
        assertNull(row.ttftUs(), "no byte came from the backend");
    }

    @Test
    void givenSlowBackend_whenItsTimeoutPasses_thenGatewayTimeout() {
        String requestId = newRequestId();
        long started = System.nanoTime();

        InternalServerException e = assertThrows(InternalServerException.class,
                () -> openAi.chat().completions().create(chat(SLOW_MODEL, requestId)));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(504, e.statusCode());
        assertEquals(Optional.of("backend_timeout"), e.code());
        assertTrue(elapsedMillis >= BACKEND_TIMEOUT_MS - 50, "answered after " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < StubUpstream.SLOW_DELAY.toMillis(), "answered after " + elapsedMillis + " ms");
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(504, row.status());
        assertEquals(backendByModel.get(SLOW_MODEL), row.backendName());
        assertEquals("backend_timeout", row.errorType());
        assertNull(row.totalTokens());
    }

    @Test
    void givenBackendRateLimits_whenNoOtherBackendIsLeft_thenTheGatewayAnswersItsOwnRateLimitWithRetryAfter() {
        String requestId = newRequestId();

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> openAi.chat().completions().create(chat(RATE_LIMITED_MODEL, requestId)));

        assertEquals(429, e.statusCode());
        // the backend's Retry-After (7 s) is the shortest wait the gateway knows of
        assertEquals(List.of(StubUpstream.RETRY_AFTER_SECONDS), e.headers().values("retry-after"));
        assertEquals(List.of(requestId), e.headers().values("x-request-id"));
        assertEquals(Optional.of("rate_limit_exceeded"), e.code());
        assertFalse(e.getMessage().contains(StubUpstream.RATE_LIMIT_MESSAGE),
                "the gateway answers with its own error, not the backend's body: " + e.getMessage());
        assertTrue(e.getMessage().contains("1 backend"), "the message says how many backends were tried: " + e.getMessage());
        assertEquals(1, stub.requestsMatching(r -> r.body().contains(requestId)).size(), "a 429 is never retried on the same backend");
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(429, row.status());
        assertEquals(backendByModel.get(RATE_LIMITED_MODEL), row.backendName());
        assertEquals("rate_limit_exceeded", row.errorType());
        assertNull(row.totalTokens());
        assertEquals(List.of(backendByModel.get(RATE_LIMITED_MODEL) + " 429"), attempts(requestId));
    }

    @Test
    void givenBackendKeepsFailing_whenCalling_thenItIsRetriedThenBadGatewayNamingHowManyBackendsWereTried() {
        String requestId = newRequestId();

        HttpResponse<String> response = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + SERVER_ERROR_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + requestId + "\"}]}",
                Map.of("Authorization", "Bearer " + clientKey, "X-Request-Id", requestId));

        assertEquals(502, response.statusCode());
        assertEquals(Optional.of(requestId), response.headers().firstValue("x-request-id"));
        JsonNode error = error(response);
        assertEquals("no_backend_available", error.get("code").asText());
        assertEquals("api_error", error.get("type").asText());
        String message = error.get("message").asText();
        assertTrue(message.contains("1 backend"), "the message says how many backends were tried: " + message);
        assertFalse(response.body().contains("overloaded"), "the backend's own body is not passed through: " + response.body());
        assertFalse(message.contains("127.0.0.1"), "no internal address in the message: " + message);
        // the first try and the default two retries
        assertEquals(3, stub.requestsMatching(r -> r.body().contains(requestId)).size());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(502, row.status());
        assertEquals("no_backend_available", row.errorType());
        assertEquals(backendByModel.get(SERVER_ERROR_MODEL), row.backendName());
        String backend = backendByModel.get(SERVER_ERROR_MODEL);
        assertEquals(List.of(backend + " 503", backend + " 503", backend + " 503"), attempts(requestId));
    }

    @Test
    void givenBackendDropsTheStream_whenStreaming_thenClientGetsTheFirstChunksThenAnError() {
        String requestId = newRequestId();
        List<String> deltas = new ArrayList<>();

        SseException e;
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
                chat(DROP_STREAM_MODEL, requestId))) {
            e = assertThrows(SseException.class, () -> stream.stream()
                    .flatMap(c -> c.choices().stream())
                    .forEach(choice -> choice.delta().content().ifPresent(deltas::add)));
        }

        assertEquals(StubUpstream.DELTAS, deltas, "every chunk sent before the drop is relayed");
        // the gateway ends the stream with an OpenAI error event, which the SDK raises after the last delta
        assertEquals(200, e.statusCode(), "the stream had started as 200");
        assertEquals(Optional.of("backend_error"), e.code());
        assertTrue(e.getMessage().contains(backendByModel.get(DROP_STREAM_MODEL)), e.getMessage());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status(), "the head had gone out as 200");
        assertEquals("stream_interrupted_reset", row.errorType());
        assertTrue(row.stream());
        assertNotNull(row.ttftUs());
        // the backend never reported usage: the stream is billed by estimate (prompt and streamed text counted)
        assertNotNull(row.totalTokens(), "a broken stream is still billed");
        assertTrue(row.completionTokens() > 0, "the streamed deltas are counted");
        Boolean estimated = gateway.databaseDsl()
                .resultQuery("select usage_estimated from request_log where request_id = ?", requestId)
                .fetchOne(0, Boolean.class);
        assertEquals(Boolean.TRUE, estimated, "an estimate is flagged, never passed off as reported usage");
    }

    @Test
    void givenEndlessStream_whenClientClosesItMidway_thenTheBackendRequestIsCancelled() throws Exception {
        String requestId = newRequestId();
        CompletableFuture<Long> abandoned = stub.resetEndlessStreamWatch();
        long closedAt;

        StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(ENDLESS_STREAM_MODEL, requestId));
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
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(499, row.status());
        assertTrue(row.clientAborted());
        assertEquals("client_closed", row.errorType());
        assertTrue(row.stream());
    }

    @Test
    void givenBackendRateLimits_whenStreaming_thenA429ComesInsteadOfAStream() {
        String requestId = newRequestId();

        RateLimitException e = assertThrows(RateLimitException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions()
                    .createStreaming(chat(RATE_LIMITED_STREAM_MODEL, requestId))) {
                stream.stream().forEach(chunk -> { });
            }
        });

        assertEquals(429, e.statusCode());
        assertEquals(Optional.of("rate_limit_exceeded"), e.code());
        assertEquals(List.of(StubUpstream.RETRY_AFTER_SECONDS), e.headers().values("retry-after"));
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(429, row.status());
        assertTrue(row.stream());
    }

    @Test
    void givenBackendStallsMidStream_whenItsTimeoutPasses_thenTheStreamEndsWithATimeoutError() {
        String requestId = newRequestId();
        List<String> deltas = new ArrayList<>();
        long started = System.nanoTime();

        SseException e;
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
                chat(STALL_STREAM_MODEL, requestId))) {
            e = assertThrows(SseException.class, () -> stream.stream()
                    .flatMap(c -> c.choices().stream())
                    .forEach(choice -> choice.delta().content().ifPresent(deltas::add)));
        }

        assertEquals(List.of(StubUpstream.DELTAS.getFirst()), deltas);
        assertEquals(Optional.of("backend_timeout"), e.code());
        assertTrue(System.nanoTime() - started < StubUpstream.SLOW_DELAY.toNanos(), "the gateway did not wait for the backend");
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertEquals("stream_interrupted_timeout", row.errorType());
    }

    @Test
    void givenClientGoesAwayWhileTheBackendThinks_whenNoStream_thenTheRequestIsLoggedAsClientClosed() throws IOException {
        String requestId = newRequestId();
        String body = "{\"model\":\"" + PATIENT_SLOW_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + requestId + "\"}]}";

        try (RawHttp raw = RawHttp.connect(gateway.proxyPort())) {
            raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + clientKey
                    + "\r\nX-Request-Id: " + requestId + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
            Poll.until("the backend to receive the request", Duration.ofSeconds(5),
                    () -> !stub.requestsMatching(r -> r.body().contains(requestId)).isEmpty());
        }

        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(499, row.status());
        assertTrue(row.clientAborted());
        assertFalse(row.stream());
        assertTrue(row.latencyUs() < StubUpstream.SLOW_DELAY.toNanos() / 1000, "logged at once, not when the backend answered");
    }

    @Test
    void givenBodyOverTheLimit_whenCalling_thenPayloadTooLargeInTheOpenAiErrorShape() throws IOException {
        try (RawHttp raw = RawHttp.connect(gateway.proxyPort())) {
            // the declared length alone is refused: the body never needs to be sent
            raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + clientKey
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (MAX_BODY_BYTES + 1) + "\r\n\r\n");
            RawHttp.Response response = raw.readResponse();

            assertEquals(413, response.status());
            JsonNode error = AdminApi.JSON.readTree(response.body()).get("error");
            assertEquals("request_too_large", error.get("code").asText());
            assertEquals("invalid_request_error", error.get("type").asText());
        }
    }

    @Test
    void givenUnsafeRequestId_whenCalling_thenTheGatewayIssuesItsOwn() {
        HttpResponse<String> response = gateway.proxy("GET", "/v1/models", null,
                Map.of("Authorization", "Bearer " + clientKey, "X-Request-Id", "bad id; drop table"));

        assertEquals(200, response.statusCode());
        String issued = response.headers().firstValue("x-request-id").orElseThrow();
        assertTrue(issued.matches("req_[0-9a-f]{32}"), issued);
    }

    /** The request's attempts from the admin API, each as "backend status" or "backend error". */
    private List<String> attempts(String requestId) {
        List<String> out = new ArrayList<>();
        for (JsonNode attempt : gateway.admin().awaitRequest(requestId).get("attempts")) {
            out.add(attempt.get("backend").asText() + " "
                    + (attempt.get("status").isNull() ? attempt.get("error").asText() : attempt.get("status").asText()));
        }
        return out;
    }

    private static ChatCompletionCreateParams chat(String model, String requestId) {
        // the prompt carries the request id, so the backend's copy of the request can be found
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello " + requestId)
                .putAdditionalHeader("X-Request-Id", requestId).build();
    }

    private static String newRequestId() {
        return "e2e-failure-" + UUID.randomUUID();
    }

    private static JsonNode error(HttpResponse<String> response) {
        try {
            JsonNode error = AdminApi.JSON.readTree(response.body()).get("error");
            assertNotNull(error, "no error object: " + response.body());
            return error;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
