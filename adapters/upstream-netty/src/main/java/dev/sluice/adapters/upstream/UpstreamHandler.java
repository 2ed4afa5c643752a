package dev.sluice.adapters.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** The last handler of a backend connection: hands what arrives to the call that owns the connection now. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private UpstreamCall current;

    void bind(UpstreamCall call) {
        this.current = call;
    }

    void unbind() {
        this.current = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamCall call = current;
        if (call == null) {
            // a response nobody waits for on an idle connection: it cannot be trusted for reuse
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        try {
            call.onMessage(msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamCall call = current;
        current = null;
        if (call != null) {
            call.connectionClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamCall call = current;
        current = null;
        ctx.close();
        if (call != null) {
            call.failed(cause);
        }
    }
}
