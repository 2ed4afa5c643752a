package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.proxy.ResponseSink;
import dev.sluice.domain.openai.OpenAiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Map;

/** Writes one response to a client connection; confined to the connection's event loop. */
final class NettyResponseSink implements ResponseSink {
    private final ChannelHandlerContext ctx;
    private final ProxyHandler handler;
    private final HttpVersion version;
    private boolean keepAlive;
    private boolean headWritten;
    private boolean streaming;
    private boolean finished;
    private Runnable onClientGone;
    private WritabilityListener writabilityListener;

    NettyResponseSink(ChannelHandlerContext ctx, ProxyHandler handler, boolean keepAlive, HttpVersion version) {
        this.ctx = ctx;
        this.handler = handler;
        this.keepAlive = keepAlive;
        this.version = version;
    }

    @Override
    public void head(int status, String contentType, long contentLength, Map<String, String> headers) {
        if (headWritten || finished) {
            return;
        }
        headWritten = true;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HttpHeaders h = response.headers();
        headers.forEach(h::set);
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (contentLength >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        } else if (version == HttpVersion.HTTP_1_0) {
            keepAlive = false; // no chunked encoding in HTTP/1.0: the end of the body is the end of the connection
        } else {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version == HttpVersion.HTTP_1_0) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        streaming = contentLength < 0;
        if (streaming) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.write(response, ctx.voidPromise());
        }
    }

    @Override
    public void chunk(byte[] data) {
        if (finished || data.length == 0) {
            return;
        }
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(data))).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        // streams go out event by event; a fixed-length body is flushed once at the end unless the buffer fills
        if (streaming || !ctx.channel().isWritable()) {
            ctx.flush();
        }
    }

    @Override
    public void end() {
        if (finished) {
            return;
        }
        finished = true;
        if (keepAlive) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
        handler.responseFinished(this);
    }

    @Override
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        keepAlive = false;
        ctx.close();
    }

    @Override
    public void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    @Override
    public void onWritabilityChanged(WritabilityListener listener) {
        this.writabilityListener = listener;
    }

    @Override
    public void execute(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    void clientGone() {
        if (finished) {
            return;
        }
        finished = true;
        Runnable action = onClientGone;
        if (action != null) {
            action.run();
        }
    }

    void writabilityChanged(boolean writable) {
        WritabilityListener listener = writabilityListener;
        if (listener != null && !finished) {
            listener.writable(writable);
        }
    }

    /** Answers with an OpenAI-shaped error (for failures the edge itself detects). */
    void error(OpenAiError error, String requestId, boolean keepConnection) {
        if (!keepConnection) {
            keepAlive = false;
        }
        byte[] body = error.toJsonBytes();
        head(error.status(), "application/json", body.length, Map.of("x-request-id", requestId));
        chunk(body);
        end();
    }

    boolean headWritten() {
        return headWritten;
    }

    boolean keepAlive() {
        return keepAlive;
    }
}
