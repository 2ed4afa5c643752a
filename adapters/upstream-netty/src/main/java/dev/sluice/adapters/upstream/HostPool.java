package dev.sluice.adapters.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;

import io.netty.util.NetUtil;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections of one event loop to one backend host. Confined to its loop:
 * no locks. When the connection limit is reached, calls wait in arrival order, up to a bound.
 */
final class HostPool {
    private final NettyUpstreamClient client;
    private final EventLoop loop;
    private final Target.PoolKey key;
    private final ArrayDeque<IdleChannel> idle = new ArrayDeque<>();
    private final ArrayDeque<UpstreamCall> waiting = new ArrayDeque<>();
    private int open;
    private boolean sweeping;

    HostPool(NettyUpstreamClient client, EventLoop loop, Target.PoolKey key) {
        this.client = client;
        this.loop = loop;
        this.key = key;
    }

    void acquire(UpstreamCall call) {
        long now = System.nanoTime();
        long maxIdle = client.settings().idleTimeout().toNanos();
        IdleChannel candidate;
        while ((candidate = idle.pollLast()) != null) {
            if (candidate.channel.isActive() && now - candidate.since < maxIdle) {
                call.assign(candidate.channel, true);
                return;
            }
            candidate.channel.close();
        }
        if (open < client.settings().maxConnectionsPerHost()) {
            connect(call);
            return;
        }
        if (waiting.size() < client.settings().maxPendingPerHost()) {
            waiting.addLast(call);
            return;
        }
        call.poolExhausted();
    }

    /** A call that no longer needs a connection (cancelled or timed out while waiting). */
    void forget(UpstreamCall call) {
        waiting.remove(call);
    }

    /** Takes back a connection whose response completed and that may be reused. */
    void release(Channel channel) {
        channel.config().setAutoRead(true);
        UpstreamCall next = waiting.pollFirst();
        if (next != null) {
            next.assign(channel, true);
            return;
        }
        idle.addLast(new IdleChannel(channel, System.nanoTime()));
        scheduleSweep();
    }

    /** Opens a fresh connection for a call (used for the single retry of a stale kept-alive connection). */
    void connect(UpstreamCall call) {
        open++;
        client.openConnectionCounter().incrementAndGet();
        long connectTimeout = Math.min(client.settings().connectTimeout().toMillis(), call.timeoutMillis());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .resolver(client.resolver())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (key.tls()) {
                            SslHandler ssl = client.sslContext().newHandler(ch.alloc(), key.host(), key.port());
                            SSLEngine engine = ssl.engine();
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(params);
                            ch.pipeline().addLast("tls", ssl);
                        }
                        ch.pipeline().addLast("codec", new HttpClientCodec(8192, 32 * 1024, 64 * 1024));
                        ch.pipeline().addLast("relay", new UpstreamHandler());
                    }
                });
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(key.host());
        InetSocketAddress remote;
        try {
            remote = literal != null
                    ? new InetSocketAddress(InetAddress.getByAddress(key.host(), literal), key.port())
                    : InetSocketAddress.createUnresolved(key.host(), key.port());
        } catch (UnknownHostException impossible) {
            remote = InetSocketAddress.createUnresolved(key.host(), key.port());
        }
        ChannelFuture connected = bootstrap.connect(remote);
        Channel channel = connected.channel();
        channel.closeFuture().addListener(f -> closed(channel));
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                call.connectFailed(f.cause());
                return;
            }
            if (key.tls()) {
                channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        call.assign(channel, false);
                    } else {
                        call.connectFailed(h.cause());
                        channel.close();
                    }
                });
            } else {
                call.assign(channel, false);
            }
        });
    }

    private void closed(Channel channel) {
        open--;
        client.openConnectionCounter().decrementAndGet();
        idle.removeIf(c -> c.channel == channel);
        // a slot freed: the oldest waiting call gets a new connection
        if (!waiting.isEmpty() && open < client.settings().maxConnectionsPerHost()) {
            connect(waiting.pollFirst());
        }
    }

    private void scheduleSweep() {
        if (sweeping) {
            return;
        }
        sweeping = true;
        long period = Math.max(1, client.settings().idleTimeout().toMillis() / 2);
        loop.schedule(this::sweep, period, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        sweeping = false;
        long now = System.nanoTime();
        long maxIdle = client.settings().idleTimeout().toNanos();
        Iterator<IdleChannel> it = idle.iterator();
        while (it.hasNext()) {
            IdleChannel c = it.next();
            if (now - c.since >= maxIdle || !c.channel.isActive()) {
                it.remove();
                c.channel.close();
            }
        }
        if (!idle.isEmpty()) {
            scheduleSweep();
        }
    }

    int idleCount() {
        return idle.size();
    }

    private record IdleChannel(Channel channel, long since) {
    }
}
