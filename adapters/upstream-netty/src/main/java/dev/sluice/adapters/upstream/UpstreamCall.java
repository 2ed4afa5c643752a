package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request to a backend, from acquiring a connection to the end of the response. Confined to
 * its event loop; the control methods hop onto it when called from elsewhere.
 */
final class UpstreamCall implements UpstreamExchange {
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "trailers", "upgrade", "proxy-authenticate", "proxy-authorization");

    private final NettyUpstreamClient client;
    private final EventLoop loop;
    private final Target target;
    private final UpstreamRequest request;
    private final UpstreamListener listener;
    private final long timeoutNanos;

    private HostPool pool;
    private Channel channel;
    private boolean reused;
    private boolean retried;
    private boolean received;
    private boolean headSeen;
    private boolean keepAlive;
    private boolean done;
    private boolean paused;
    private long lastActivity;
    private ScheduledFuture<?> timer;

    UpstreamCall(NettyUpstreamClient client, EventLoop loop, Target target, UpstreamRequest request, UpstreamListener listener) {
        this.client = client;
        this.loop = loop;
        this.target = target;
        this.request = request;
        this.listener = listener;
        this.timeoutNanos = request.timeout().toNanos();
    }

    long timeoutMillis() {
        return Math.max(1, request.timeout().toMillis());
    }

    void start() {
        lastActivity = System.nanoTime();
        timer = loop.schedule(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
        pool = client.pool(loop, target);
        pool.acquire(this);
    }

    /** A connection is ready for this call (fresh, or reused from the pool). */
    void assign(Channel ch, boolean fromPool) {
        if (done) {
            pool.release(ch);
            return;
        }
        channel = ch;
        reused = fromPool;
        ch.pipeline().get(UpstreamHandler.class).bind(this);
        ch.config().setAutoRead(!paused);
        FullHttpRequest outbound = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()),
                target.requestTarget(), Unpooled.wrappedBuffer(request.body()));
        HttpHeaders headers = outbound.headers();
        headers.set(HttpHeaderNames.HOST, target.hostHeader());
        request.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !lower.equals("host") && !lower.equals("content-length")) {
                headers.set(name, value);
            }
        });
        headers.set(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
        ch.writeAndFlush(outbound).addListener(f -> {
            if (!f.isSuccess() && channel == ch && !done) {
                ch.close();
            }
        });
    }

    void onMessage(Object msg) {
        if (done) {
            return;
        }
        received = true;
        lastActivity = System.nanoTime();
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.PROTOCOL, "the backend sent a malformed HTTP response"));
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.status().code() < 200) {
                return; // 1xx interim responses are not relayed
            }
            headSeen = true;
            keepAlive = HttpUtil.isKeepAlive(response);
            listener.onHead(response.status().code(), responseHeaders(response.headers()));
        }
        if (msg instanceof HttpContent content) {
            if (!headSeen) {
                return;
            }
            if (content.content().isReadable()) {
                listener.onChunk(ByteBufUtil.getBytes(content.content()));
            }
            if (done) {
                return; // the listener cancelled while handling the chunk
            }
            if (msg instanceof LastHttpContent) {
                done = true;
                cancelTimer();
                Channel ch = channel;
                channel = null;
                ch.pipeline().get(UpstreamHandler.class).unbind();
                if (keepAlive && ch.isActive()) {
                    pool.release(ch);
                } else {
                    ch.close();
                }
                listener.onEnd();
            }
        }
    }

    /** The connection closed while this call owned it. */
    void connectionClosed() {
        if (done) {
            return;
        }
        channel = null;
        if (retryOnFreshConnection()) {
            return;
        }
        fail(new UpstreamFailure(UpstreamFailure.Kind.RESET, "the backend closed the connection"));
    }

    void failed(Throwable cause) {
        if (done) {
            return;
        }
        channel = null;
        // a stale kept-alive connection often shows as a reset (the backend's kernel answers the request with RST)
        if (cause instanceof IOException && retryOnFreshConnection()) {
            return;
        }
        fail(classify(cause));
    }

    /** A kept-alive connection the backend had already dropped, before any answer: try once on a fresh one. */
    private boolean retryOnFreshConnection() {
        if (reused && !received && !retried) {
            retried = true;
            pool.connect(this);
            return true;
        }
        return false;
    }

    /** Only called for failures to connect (TCP connect, name resolution, TLS handshake): always CONNECT. */
    void connectFailed(Throwable cause) {
        if (done) {
            return;
        }
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        fail(new UpstreamFailure(UpstreamFailure.Kind.CONNECT, root.getClass().getSimpleName()));
    }

    void poolExhausted() {
        fail(new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED, "too many connections waiting for the backend"));
    }

    void fail(UpstreamFailure failure) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        if (pool != null) {
            pool.forget(this);
        }
        closeChannel();
        listener.onFailure(failure);
    }

    @Override
    public void pause() {
        onLoop(() -> {
            paused = true;
            if (channel != null) {
                channel.config().setAutoRead(false);
            }
        });
    }

    @Override
    public void resume() {
        onLoop(() -> {
            paused = false;
            lastActivity = System.nanoTime();
            if (channel != null) {
                channel.config().setAutoRead(true);
                channel.read();
            }
        });
    }

    @Override
    public void cancel() {
        onLoop(() -> {
            if (done) {
                return;
            }
            done = true;
            cancelTimer();
            if (pool != null) {
                pool.forget(this);
            }
            closeChannel();
        });
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        long now = System.nanoTime();
        long idle = now - lastActivity;
        if (paused || idle < timeoutNanos) {
            long next = paused ? timeoutNanos : timeoutNanos - idle;
            timer = loop.schedule(this::checkTimeout, next, TimeUnit.NANOSECONDS);
            return;
        }
        fail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                headSeen ? "the backend stopped sending" : "no response from the backend in time"));
    }

    private void closeChannel() {
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.pipeline().get(UpstreamHandler.class).unbind();
            ch.close();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onLoop(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
        } else {
            loop.execute(action);
        }
    }

    private static Map<String, String> responseHeaders(HttpHeaders headers) {
        Map<String, String> out = new HashMap<>(headers.size() * 2);
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        Set<String> named = connection == null ? Set.of()
                : Set.of(connection.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || named.contains(name)) {
                continue;
            }
            out.merge(name, header.getValue(), (a, b) -> a + ", " + b);
        }
        return out;
    }

    private static UpstreamFailure classify(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ConnectException || root instanceof ConnectTimeoutException
                || root instanceof UnresolvedAddressException || root instanceof SSLException) {
            return new UpstreamFailure(UpstreamFailure.Kind.CONNECT, root.getClass().getSimpleName());
        }
        if (root instanceof DecoderException) {
            return new UpstreamFailure(UpstreamFailure.Kind.PROTOCOL, "malformed response");
        }
        if (root instanceof IOException) {
            return new UpstreamFailure(UpstreamFailure.Kind.RESET, "connection reset");
        }
        return new UpstreamFailure(UpstreamFailure.Kind.RESET, root.getClass().getSimpleName());
    }
}
