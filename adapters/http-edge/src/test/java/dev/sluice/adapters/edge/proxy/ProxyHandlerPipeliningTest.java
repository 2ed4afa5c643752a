package dev.sluice.adapters.edge.proxy;

import dev.sluice.adapters.edge.proxy.FakeUpstreamClient.FakeExchange;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.application.proxy.ProxySettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Pipelining order at the handler, with the event loop under the test's control (an
 * {@link EmbeddedChannel} runs queued tasks only when told to).
 */
class ProxyHandlerPipeliningTest {
    private final FakeUpstreamClient fake = new FakeUpstreamClient(null);
    private final ProxyService service = new ProxyService(
            EdgeFixture.configuration(new InMemoryBackendRepository(), new InMemoryAppRepository(), "http://backend.test/v1"),
            fake, new CollectingRequestLog(), new ProxySettings(false, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES));

    @Test
    void aRequestArrivingWhileQueuedOnesWaitToBeDispatchedIsAnsweredAfterThem() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new ProxyHandler(service, () -> true));
        channel.writeInbound(request(HttpMethod.POST, "/v1/chat/completions", EdgeFixture.chatBody(false), "a"),
                request(HttpMethod.GET, "/health", "", "b"));
        FakeExchange upstream = fake.awaitExchange(Duration.ofSeconds(1));
        assertNull(channel.readOutbound(), "b waits behind a");

        // a ends; b is now due, but the loop has not run its turn yet when c arrives
        upstream.head(200, Map.of("content-type", "application/json")).chunk("{}").end();
        channel.writeInbound(request(HttpMethod.GET, "/nope", "", "c"));
        channel.runPendingTasks();

        assertEquals(List.of("a 200", "b 200", "c 404"), responses(channel));
        channel.finishAndReleaseAll();
    }

    @Test
    void queuedRequestsAreAnsweredInArrivalOrder() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new ProxyHandler(service, () -> true));
        channel.writeInbound(request(HttpMethod.POST, "/v1/chat/completions", EdgeFixture.chatBody(false), "a"),
                request(HttpMethod.GET, "/health", "", "b"),
                request(HttpMethod.POST, "/v1/chat/completions", EdgeFixture.chatBody(false), "c"),
                request(HttpMethod.GET, "/nope", "", "d"));
        FakeExchange first = fake.awaitExchange(Duration.ofSeconds(1));
        first.head(200, Map.of("content-type", "application/json")).chunk("{}").end();
        channel.runPendingTasks();
        FakeExchange third = fake.awaitExchange(Duration.ofSeconds(1));
        third.head(201, Map.of("content-type", "application/json")).chunk("{}").end();
        channel.runPendingTasks();

        assertEquals(List.of("a 200", "b 200", "c 201", "d 404"), responses(channel));
        channel.finishAndReleaseAll();
    }

    private static List<String> responses(EmbeddedChannel channel) {
        List<String> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            if (msg instanceof HttpResponse response) {
                out.add(response.headers().get("x-request-id") + " " + response.status().code());
            }
            ReferenceCountUtil.release(msg);
        }
        return out;
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body, String requestId) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(bytes));
        request.headers().set("content-length", bytes.length).set("app-name", "tests").set("x-request-id", requestId);
        return request;
    }
}
