package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An upstream the test drives by hand: it records each request and the pause, resume and cancel
 * calls made on its exchange, and lets the test play the backend's answer on the right loop.
 */
final class FakeUpstreamClient implements UpstreamClient {
    private final EventLoopGroup group;
    final BlockingQueue<FakeExchange> exchanges = new LinkedBlockingQueue<>();
    /** Runs inside {@code send}, on the client connection's loop. */
    volatile Consumer<FakeExchange> onSend = ex -> { };

    FakeUpstreamClient(EventLoopGroup group) {
        this.group = group;
    }

    @Override
    public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
        EventLoop loop = null;
        if (group != null) {
            for (EventExecutor e : group) {
                if (e.inEventLoop()) {
                    loop = (EventLoop) e;
                }
            }
        }
        FakeExchange exchange = new FakeExchange(request, listener, loop, Thread.currentThread());
        exchanges.add(exchange);
        onSend.accept(exchange);
        return exchange;
    }

    FakeExchange awaitExchange(Duration timeout) throws InterruptedException {
        FakeExchange e = exchanges.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no upstream request within " + timeout);
        }
        return e;
    }

    static final class FakeExchange implements UpstreamExchange {
        final UpstreamRequest request;
        final UpstreamListener listener;
        final EventLoop loop;
        final Thread sendThread;
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();
        final List<String> offLoopControl = new CopyOnWriteArrayList<>();
        volatile boolean paused;
        volatile Runnable onResume = () -> { };

        FakeExchange(UpstreamRequest request, UpstreamListener listener, EventLoop loop, Thread sendThread) {
            this.request = request;
            this.listener = listener;
            this.loop = loop;
            this.sendThread = sendThread;
        }

        String body() {
            return new String(request.body(), StandardCharsets.UTF_8);
        }

        @Override
        public void pause() {
            checkThread("pause");
            pauses.incrementAndGet();
            paused = true;
        }

        @Override
        public void resume() {
            checkThread("resume");
            resumes.incrementAndGet();
            paused = false;
            onResume.run();
        }

        @Override
        public void cancel() {
            checkThread("cancel");
            cancels.incrementAndGet();
        }

        private void checkThread(String what) {
            if (Thread.currentThread() != sendThread) {
                offLoopControl.add(what + " on " + Thread.currentThread().getName());
            }
        }

        /** Plays the backend's answer: the callbacks run later, in order, on the exchange's loop. */
        FakeExchange head(int status, Map<String, String> headers) {
            return later(() -> listener.onHead(status, headers));
        }

        FakeExchange chunk(String data) {
            byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
            return later(() -> listener.onChunk(bytes));
        }

        FakeExchange end() {
            return later(listener::onEnd);
        }

        FakeExchange fail(UpstreamFailure failure) {
            return later(() -> listener.onFailure(failure));
        }

        FakeExchange later(Runnable action) {
            if (loop == null) {
                action.run(); // an EmbeddedChannel test: the test thread is the loop
            } else {
                loop.execute(action);
            }
            return this;
        }
    }
}
