package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.FastThreadLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends requests to backends over HTTP/1.1 keep-alive connections pooled per event loop and
 * per host. A request started on an event loop of the shared group stays on that loop: the
 * backend connection is registered there, so client and upstream channels share one thread and
 * no locks are needed.
 */
public final class NettyUpstreamClient implements UpstreamClient {
    private static final Logger LOG = LoggerFactory.getLogger(NettyUpstreamClient.class);
    private static final int MAX_CACHED_TARGETS = 10_000;

    private final EventLoopGroup group;
    private final UpstreamSettings settings;
    private final SslContext sslContext;
    private final ConcurrentHashMap<String, Target> targets = new ConcurrentHashMap<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final ExecutorService lookups = Executors.newCachedThreadPool(Thread.ofPlatform().name("sluice-dns-", 0).daemon(true).factory());
    private final OffloadedResolver resolver = new OffloadedResolver(lookups);
    private final FastThreadLocal<Map<Target.PoolKey, HostPool>> pools = new FastThreadLocal<>() {
        @Override
        protected Map<Target.PoolKey, HostPool> initialValue() {
            return new HashMap<>();
        }
    };

    public NettyUpstreamClient(EventLoopGroup group, UpstreamSettings settings) {
        this.group = group;
        this.settings = settings;
        this.sslContext = buildSslContext(settings);
    }

    @Override
    public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
        EventLoop loop = EventLoops.current(group);
        Target target;
        try {
            target = target(request.url());
        } catch (IllegalArgumentException e) {
            UpstreamCall failed = new UpstreamCall(this, loop, null, request, listener);
            runOn(loop, () -> failed.fail(new UpstreamFailure(UpstreamFailure.Kind.CONNECT, "invalid backend URL")));
            return failed;
        }
        UpstreamCall call = new UpstreamCall(this, loop, target, request, listener);
        runOn(loop, call::start);
        return call;
    }

    /** Connections currently open to all backends, across all loops. */
    public int openConnections() {
        return openConnections.get();
    }

    UpstreamSettings settings() {
        return settings;
    }

    SslContext sslContext() {
        return sslContext;
    }

    OffloadedResolver resolver() {
        return resolver;
    }

    AtomicInteger openConnectionCounter() {
        return openConnections;
    }

    /** The pool for a host on the current loop; must be called on that loop. */
    HostPool pool(EventLoop loop, Target target) {
        return pools.get().computeIfAbsent(target.poolKey(), key -> new HostPool(this, loop, key));
    }

    private Target target(String url) {
        Target cached = targets.get(url);
        if (cached != null) {
            return cached;
        }
        Target parsed = Target.parse(url);
        if (targets.size() >= MAX_CACHED_TARGETS) {
            targets.clear();
        }
        targets.put(url, parsed);
        return parsed;
    }

    private static void runOn(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private static SslContext buildSslContext(UpstreamSettings settings) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (settings.trustStore().isPresent()) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(settings.trustStore().get())) {
                    store.load(in, settings.trustStorePassword().toCharArray());
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                builder.trustManager(tmf);
                LOG.info("HTTPS backends are verified against the trust store {}", settings.trustStore().get());
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context for backends", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the upstream trust store", e);
        }
    }
}
