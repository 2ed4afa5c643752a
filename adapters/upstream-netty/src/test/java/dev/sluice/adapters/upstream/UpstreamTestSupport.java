package dev.sluice.adapters.upstream;

import dev.sluice.application.port.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Netty group and a client per test; requests are sent from inside one event loop of the
 * group, as the proxy does. Every listener is checked after the test: callbacks on that loop
 * only, none after the end.
 */
abstract class UpstreamTestSupport {
    static final Duration WAIT = Duration.ofSeconds(5);

    static {
        // logback's default is DEBUG for everything: keep the test output readable
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    EventLoopGroup group;
    EventLoop loop;
    NettyUpstreamClient client;
    private final List<RecordingListener> listeners = new ArrayList<>();
    private final List<StubBackend> stubs = new ArrayList<>();

    @BeforeEach
    void startGroup() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        loop = group.next();
        client = new NettyUpstreamClient(group, settings(64, 256, Duration.ofSeconds(30)));
    }

    @AfterEach
    void stopGroup() throws IOException {
        try {
            for (RecordingListener l : listeners) {
                l.assertWellBehaved();
            }
            for (StubBackend s : stubs) {
                assertTrue(s.handlerErrors.isEmpty(), "stub handler failed: " + s.handlerErrors);
            }
        } finally {
            for (StubBackend s : stubs) {
                s.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static UpstreamSettings settings(int maxConnections, int maxPending, Duration idleTimeout) {
        return new UpstreamSettings(Duration.ofSeconds(2), maxConnections, maxPending, idleTimeout, Optional.empty(), "");
    }

    StubBackend stub(StubBackend stub) {
        stubs.add(stub);
        return stub;
    }

    static UpstreamRequest post(String url, String body, Duration timeout) {
        return new UpstreamRequest("POST", url, Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), timeout);
    }

    RecordingListener send(String url) {
        return send(post(url, "{}", WAIT), new RecordingListener());
    }

    RecordingListener send(UpstreamRequest request) {
        return send(request, new RecordingListener());
    }

    /** Calls {@code client.send} on the test's event loop and waits until it has returned. */
    RecordingListener send(UpstreamRequest request, RecordingListener listener) {
        return send(client, request, listener);
    }

    RecordingListener send(NettyUpstreamClient via, UpstreamRequest request, RecordingListener listener) {
        listeners.add(listener);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        loop.execute(() -> {
            listener.loopThread = Thread.currentThread();
            try {
                listener.exchange = via.send(request, listener);
                sent.complete(null);
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        });
        sent.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        return listener;
    }

    /** Runs a task on the test's loop and waits for it (to read loop-confined state). */
    <T> T onLoop(java.util.concurrent.Callable<T> task) {
        try {
            return loop.submit(task).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
