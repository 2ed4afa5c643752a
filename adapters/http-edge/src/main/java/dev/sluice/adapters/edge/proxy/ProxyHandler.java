package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.proxy.ProxyCall;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.OpenAiError;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Routes each request on one client connection. Requests on a connection are answered strictly
 * one after another (HTTP/1.1 pipelining is honoured by queueing), while the connection keeps
 * being read so that a client going away is noticed at once.
 */
final class ProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
    private static final int MAX_PIPELINED = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ProxyService service;
    private final BooleanSupplier ready;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private NettyResponseSink active;

    ProxyHandler(ProxyService service, BooleanSupplier ready) {
        super(false);
        this.service = service;
        this.ready = ready;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // queued requests go first, even when the one before them has just finished
        if (active != null || !pipelined.isEmpty()) {
            if (pipelined.size() >= MAX_PIPELINED) {
                request.release();
                ctx.close();
                return;
            }
            pipelined.addLast(request);
            return;
        }
        dispatch(request);
    }

    private void dispatch(FullHttpRequest request) {
        long receivedNanos = System.nanoTime();
        String requestId = requestId(request.headers().get("x-request-id"));
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            NettyResponseSink sink = new NettyResponseSink(ctx, this, keepAlive, request.protocolVersion());
            active = sink;
            if (!request.decoderResult().isSuccess()) {
                sink.error(OpenAiError.invalidRequest("The request is not valid HTTP.", null), requestId, false);
                return;
            }
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            HttpMethod method = request.method();
            switch (path) {
                case "/v1/chat/completions" -> forward(Endpoint.CHAT_COMPLETIONS, request, method, path, requestId, sink, receivedNanos);
                case "/v1/completions" -> forward(Endpoint.COMPLETIONS, request, method, path, requestId, sink, receivedNanos);
                case "/v1/embeddings" -> forward(Endpoint.EMBEDDINGS, request, method, path, requestId, sink, receivedNanos);
                case "/v1/models" -> {
                    if (method != HttpMethod.GET) {
                        sink.error(OpenAiError.methodNotAllowed(method.name(), path), requestId, true);
                    } else {
                        service.listModels(call(Endpoint.CHAT_COMPLETIONS, request, requestId, new byte[0], receivedNanos), sink);
                    }
                }
                case "/health", "/health/readiness" -> health(sink, requestId, ready.getAsBoolean());
                case "/health/liveness" -> health(sink, requestId, true);
                default -> sink.error(OpenAiError.notFound(path), requestId, true);
            }
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure while handling a request", e);
            NettyResponseSink sink = active;
            if (sink != null && !sink.headWritten()) {
                sink.error(OpenAiError.internal(), requestId, false);
            } else {
                ctx.close();
            }
        } finally {
            request.release();
        }
    }

    private void forward(Endpoint endpoint, FullHttpRequest request, HttpMethod method, String path,
                         String requestId, NettyResponseSink sink, long receivedNanos) {
        if (method != HttpMethod.POST) {
            sink.error(OpenAiError.methodNotAllowed(method.name(), path), requestId, true);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        service.forward(call(endpoint, request, requestId, body, receivedNanos), sink);
    }

    private static ProxyCall call(Endpoint endpoint, FullHttpRequest request, String requestId, byte[] body, long receivedNanos) {
        return new ProxyCall(requestId, endpoint, bearer(request.headers().get(HttpHeaderNames.AUTHORIZATION)),
                Optional.ofNullable(request.headers().get("app-name")), body, Instant.now(), receivedNanos,
                maxWait(request.headers().get("x-sluice-max-wait")));
    }

    private static void health(NettyResponseSink sink, String requestId, boolean up) {
        byte[] body = (up
                ? "{\"status\":\"UP\"}"
                : "{\"status\":\"DOWN\",\"details\":{\"database\":\"unreachable\"}}").getBytes(StandardCharsets.UTF_8);
        sink.head(up ? 200 : 503, "application/json", body.length, Map.of("x-request-id", requestId));
        sink.chunk(body);
        sink.end();
    }

    /** Called by the sink when its response is complete: the next pipelined request may go. */
    void responseFinished(NettyResponseSink sink) {
        if (active != sink) {
            return;
        }
        active = null;
        if (!sink.keepAlive()) {
            return;
        }
        if (!pipelined.isEmpty()) {
            ctx.executor().execute(this::dispatchNext);
        }
    }

    /** Dispatches the oldest queued request; it stays queued until now so that later arrivals queue behind it. */
    private void dispatchNext() {
        if (active != null) {
            return;
        }
        FullHttpRequest next = pipelined.pollFirst();
        if (next == null) {
            return;
        }
        if (ctx.channel().isActive()) {
            dispatch(next);
        } else {
            next.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        NettyResponseSink sink = active;
        active = null;
        if (sink != null) {
            sink.clientGone();
        }
        FullHttpRequest queued;
        while ((queued = pipelined.pollFirst()) != null) {
            queued.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        NettyResponseSink sink = active;
        if (sink != null) {
            sink.writabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && active == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Client connection failed: {}", cause.toString());
        ctx.close();
    }

    /** {@code X-Sluice-Max-Wait: <seconds>} (decimals allowed): the client accepts to wait at most this long in the queue. */
    static Optional<Duration> maxWait(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(header.strip());
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.min(seconds * 1000, 3_600_000)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.strip();
        if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = value.substring(7).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }

    /** The client's X-Request-Id when it is a sane token, else a new random one. */
    static String requestId(String fromClient) {
        if (fromClient != null && !fromClient.isEmpty() && fromClient.length() <= 64) {
            boolean sane = true;
            for (int i = 0; i < fromClient.length() && sane; i++) {
                char c = fromClient.charAt(i);
                sane = Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':';
            }
            if (sane) {
                return fromClient;
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long hi = random.nextLong();
        long lo = random.nextLong();
        char[] out = new char[4 + 32];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        for (int i = 0; i < 16; i++) {
            out[4 + i] = HEX[(int) ((hi >>> (60 - 4 * i)) & 0xf)];
            out[20 + i] = HEX[(int) ((lo >>> (60 - 4 * i)) & 0xf)];
        }
        return new String(out);
    }
}
