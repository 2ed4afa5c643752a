package dev.sluice.adapters.edge.proxy;

import dev.sluice.adapters.edge.proxy.FakeUpstreamClient.FakeExchange;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static dev.sluice.adapters.edge.proxy.RawHttpConnection.get;
import static dev.sluice.adapters.edge.proxy.RawHttpConnection.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy port's HTTP rules: limits, errors, keep-alive, pipelining, health and request ids. */
class ProxyServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CHAT = "/v1/chat/completions";

    private final EdgeFixture edge = EdgeFixture.withFakeUpstream();

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void aBodyOverTheLimitGets413WithAnOpenAiErrorAndTheConnectionCloses() throws Exception {
        String body = "{\"model\":\"" + EdgeFixture.MODEL + "\",\"pad\":\"" + "x".repeat(2 * EdgeFixture.MAX_BODY) + "\"}";
        try (RawHttpConnection c = edge.connect()) {
            RawHttpConnection.Response r = c.exchange(post(CHAT, body, "App-Name: tests"));
            assertEquals(413, r.status());
            assertEquals("application/json", r.header("content-type"));
            assertEquals("close", r.header("connection"));
            assertTrue(r.text().startsWith("{\"error\":{"), r.text());
            assertTrue(r.text().contains("\"code\":\"request_too_large\""), r.text());
            assertTrue(r.text().contains("\"type\":\"invalid_request_error\""), r.text());
            assertTrue(c.closedByServer(WAIT), "the connection is closed after a 413");
        }
        assertTrue(edge.fake().exchanges.isEmpty(), "nothing was sent upstream");
    }

    @Test
    void aChunkedBodyOverTheLimitGets413() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            c.write("POST " + CHAT + " HTTP/1.1\r\nHost: gateway\r\nApp-Name: tests\r\nTransfer-Encoding: chunked\r\n\r\n");
            String part = "x".repeat(1000);
            StringBuilder chunks = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                chunks.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
            }
            c.write(chunks.toString());
            RawHttpConnection.Response r = c.readResponse();
            assertEquals(413, r.status());
            assertTrue(r.text().contains("\"code\":\"request_too_large\""), r.text());
            assertTrue(c.closedByServer(WAIT));
        }
        assertTrue(edge.fake().exchanges.isEmpty());
    }

    @Test
    void unknownPathsGet404AndWrongMethods405AllOnOneKeptAliveConnection() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            RawHttpConnection.Response notFound = c.exchange(get("/v2/nothing?x=1"));
            assertEquals(404, notFound.status());
            assertEquals("application/json", notFound.header("content-type"));
            assertTrue(notFound.text().contains("\"code\":\"unknown_url\""), notFound.text());
            assertTrue(notFound.text().contains("/v2/nothing"), notFound.text());
            assertNull(notFound.header("connection"), "the connection stays open");

            RawHttpConnection.Response getChat = c.exchange(get(CHAT));
            assertEquals(405, getChat.status());
            assertTrue(getChat.text().contains("\"code\":\"method_not_allowed\""), getChat.text());

            RawHttpConnection.Response postModels = c.exchange(post("/v1/models", "{}"));
            assertEquals(405, postModels.status());

            RawHttpConnection.Response models = c.exchange(get("/v1/models", "App-Name: tests"));
            assertEquals(200, models.status());
            assertTrue(models.text().contains("\"id\":\"" + EdgeFixture.MODEL + "\""), models.text());

            RawHttpConnection.Response health = c.exchange(get("/health"));
            assertEquals(200, health.status());
            assertFalse(c.closedByServer(Duration.ofMillis(100)), "still open after five requests");
        }
        assertTrue(edge.fake().exchanges.isEmpty());
    }

    @Test
    void http10WithoutKeepAliveIsAnsweredAndClosed() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            c.write("GET /health HTTP/1.0\r\n\r\n");
            RawHttpConnection.Response r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertEquals("{\"status\":\"UP\"}", r.text());
            assertTrue(c.closedByServer(WAIT));
        }
    }

    @Test
    void http10WithKeepAliveStaysOpen() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            for (int i = 0; i < 2; i++) {
                c.write("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawHttpConnection.Response r = c.readResponse();
                assertEquals(200, r.status());
                assertEquals("keep-alive", r.header("connection"));
            }
            assertFalse(c.closedByServer(Duration.ofMillis(100)));
        }
    }

    @Test
    void http11WithConnectionCloseIsAnsweredAndClosed() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            RawHttpConnection.Response r = c.exchange(get("/health", "Connection: close"));
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(c.closedByServer(WAIT));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlower() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            // both requests in one write: the first waits for the backend, the second could be answered at once
            c.write(post(CHAT, EdgeFixture.chatBody(false), "App-Name: tests", "X-Request-Id: first")
                    + get("/health", "X-Request-Id: second")
                    + get("/nope", "X-Request-Id: third"));
            FakeExchange upstream = edge.fake().awaitExchange(WAIT);
            Thread.sleep(100); // give the later requests every chance to be (wrongly) answered first
            upstream.head(200, Map.of("content-type", "application/json"))
                    .chunk("{\"id\":\"chatcmpl-1\",\"choices\":[]}")
                    .end();

            RawHttpConnection.Response first = c.readResponse();
            RawHttpConnection.Response second = c.readResponse();
            RawHttpConnection.Response third = c.readResponse();
            assertEquals("first", first.header("x-request-id"));
            assertEquals(200, first.status());
            assertEquals("{\"id\":\"chatcmpl-1\",\"choices\":[]}", first.text());
            assertEquals("second", second.header("x-request-id"));
            assertEquals("{\"status\":\"UP\"}", second.text());
            assertEquals("third", third.header("x-request-id"));
            assertEquals(404, third.status());
        }
    }

    @Test
    void healthIsUpOr503WhenNotReady() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            RawHttpConnection.Response up = c.exchange(get("/health"));
            assertEquals(200, up.status());
            assertEquals("application/json", up.header("content-type"));
            assertEquals("{\"status\":\"UP\"}", up.text());

            edge.ready.set(false);
            RawHttpConnection.Response down = c.exchange(get("/health"));
            assertEquals(503, down.status());
            assertTrue(down.text().contains("\"status\":\"DOWN\""), down.text());
            assertEquals(503, c.exchange(get("/health/readiness")).status());
            assertEquals(200, c.exchange(get("/health/liveness")).status(), "liveness does not depend on readiness");

            edge.ready.set(true);
            assertEquals(200, c.exchange(get("/health")).status());
        }
    }

    @Test
    void theClientsRequestIdIsEchoedAndOneIsGeneratedOtherwise() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            assertEquals("abc-123_x.y:z", c.exchange(get("/health", "X-Request-Id: abc-123_x.y:z")).header("x-request-id"));
            assertEquals("abc-404", c.exchange(get("/nope", "X-Request-Id: abc-404")).header("x-request-id"));

            String generated = c.exchange(get("/health")).header("x-request-id");
            assertTrue(generated.matches("req_[0-9a-f]{32}"), generated);
            String another = c.exchange(get("/health")).header("x-request-id");
            assertNotEquals(generated, another, "a new id per request");

            String insane = c.exchange(get("/health", "X-Request-Id: <script>")).header("x-request-id");
            assertTrue(insane.matches("req_[0-9a-f]{32}"), "an unsafe id is replaced: " + insane);

            c.write(post(CHAT, EdgeFixture.chatBody(false), "App-Name: tests", "X-Request-Id: fwd-1"));
            edge.fake().awaitExchange(WAIT).head(200, Map.of("content-type", "application/json")).chunk("{}").end();
            assertEquals("fwd-1", c.readResponse().header("x-request-id"));
            assertEquals(200, edge.log.awaitRecord("fwd-1", WAIT).status());
        }
    }

    @Test
    void aForwardedRequestReachesTheUpstreamRewrittenAndTheAnswerIsRelayed() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            c.write(post(CHAT, EdgeFixture.chatBody(false), "App-Name: tests", "X-Request-Id: relay-1"));
            FakeExchange upstream = edge.fake().awaitExchange(WAIT);
            assertEquals("POST", upstream.request.method());
            assertEquals("http://backend.test/v1/chat/completions", upstream.request.url());
            assertEquals("Bearer " + EdgeFixture.BACKEND_KEY, upstream.request.headers().get("authorization"));
            assertTrue(upstream.body().contains("\"model\":\"" + EdgeFixture.UPSTREAM_MODEL + "\""), upstream.body());

            String answer = "{\"id\":\"x\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
            upstream.head(200, Map.of("content-type", "application/json", "content-length",
                            String.valueOf(answer.getBytes(StandardCharsets.UTF_8).length), "x-backend", "yes"))
                    .chunk(answer)
                    .end();
            RawHttpConnection.Response r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals(answer, r.text());
            assertEquals("yes", r.header("x-backend"));
            assertEquals(String.valueOf(answer.length()), r.header("content-length"));

            RequestRecord record = edge.log.awaitRecord("relay-1", WAIT);
            assertEquals(200, record.status());
            assertFalse(record.clientAborted());
            assertTrue(upstream.offLoopControl.isEmpty(), upstream.offLoopControl.toString());
        }
    }

    @Test
    void aRequestThatIsNotHttpGets400AndTheConnectionCloses() throws Exception {
        try (RawHttpConnection c = edge.connect()) {
            c.write("GET /health HTTP/1.1\r\nHost: gateway\r\nbroken header line without colon\r\n\r\n");
            RawHttpConnection.Response r = c.readResponse();
            assertEquals(400, r.status());
            assertTrue(r.text().contains("\"error\""), r.text());
            assertTrue(c.closedByServer(WAIT));
        }
    }
}
