package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.proxy.ProxyService;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The OpenAI-compatible {@code /v1/*} endpoints on a Netty pipeline of the gateway's own (the
 * proxy port). Requests are aggregated up to a size limit, handed to the {@link ProxyService} on
 * the connection's event loop, and answered through a {@link NettyResponseSink}.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final ProxyService service;
    private final ProxyServerSettings settings;
    private final BooleanSupplier ready;
    private Channel serverChannel;

    public ProxyServer(EventLoopGroup group, ProxyService service, ProxyServerSettings settings, BooleanSupplier ready) {
        this.group = group;
        this.service = service;
        this.settings = settings;
        this.ready = ready;
    }

    public synchronized void start() {
        if (serverChannel != null) {
            return;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("codec", new HttpServerCodec(8192, 32 * 1024, 64 * 1024))
                                .addLast("aggregate", new LimitedBodyAggregator(settings.maxBodyBytes()))
                                .addLast("proxy", new ProxyHandler(service, ready));
                    }
                });
        serverChannel = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        LOG.info("Proxy port listening on {}:{}", settings.host(), port());
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
    }
}
