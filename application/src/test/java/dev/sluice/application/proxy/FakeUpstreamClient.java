package dev.sluice.application.proxy;

import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.domain.backend.Backend;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Records what the proxy sends and lets a test play the backend's answer back, callback by
 * callback, as the event loop would deliver it.
 */
final class FakeUpstreamClient implements UpstreamClient {
    private final List<BackendSide> exchanges = new ArrayList<>();
    private Consumer<UpstreamListener> duringSend = listener -> {
    };

    @Override
    public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
        BackendSide exchange = new BackendSide(request, listener);
        exchanges.add(exchange);
        duringSend.accept(listener);
        return exchange;
    }

    /** Makes the next sends answer before {@code send} returns, as a client failing fast does. */
    void answersDuringSend(Consumer<UpstreamListener> answer) {
        this.duringSend = answer;
    }

    /** The one exchange the proxy started. */
    BackendSide backend() {
        assertEquals(1, exchanges.size(), "requests sent upstream");
        return exchanges.getFirst();
    }

    /** The exchange the proxy started last: the attempt in flight, or the one that ended the request. */
    BackendSide latest() {
        assertFalse(exchanges.isEmpty(), "no request was sent upstream");
        return exchanges.getLast();
    }

    /** The requests sent to one backend (told apart by its address), in order. */
    List<BackendSide> sentTo(Backend backend) {
        String prefix = backend.baseUrl() + "/";
        return exchanges.stream().filter(e -> e.request.url().startsWith(prefix)).toList();
    }

    int requestsSent() {
        return exchanges.size();
    }

    /** One request as the backend sees it, and the remote control for its answer. */
    static final class BackendSide implements UpstreamExchange {
        private final UpstreamRequest request;
        private final UpstreamListener listener;
        private int pauses;
        private int resumes;
        private int cancels;

        private BackendSide(UpstreamRequest request, UpstreamListener listener) {
            this.request = request;
            this.listener = listener;
        }

        UpstreamRequest request() {
            return request;
        }

        String requestBody() {
            return new String(request.body(), StandardCharsets.UTF_8);
        }

        BackendSide answersHead(int status, Map<String, String> headers) {
            listener.onHead(status, headers);
            return this;
        }

        BackendSide sends(String data) {
            return sends(data.getBytes(StandardCharsets.UTF_8));
        }

        BackendSide sends(byte[] data) {
            listener.onChunk(data);
            return this;
        }

        /** Sends {@code data} split into pieces of {@code size} bytes, as separate reads. */
        BackendSide sendsInPiecesOf(int size, String data) {
            byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
            for (int from = 0; from < bytes.length; from += size) {
                sends(java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)));
            }
            return this;
        }

        void ends() {
            listener.onEnd();
        }

        /** A whole answer at once: head, the body (if any), end. */
        void answers(int status, Map<String, String> headers, String body) {
            answersHead(status, headers);
            if (!body.isEmpty()) {
                sends(body);
            }
            ends();
        }

        void fails(UpstreamFailure.Kind kind) {
            listener.onFailure(new UpstreamFailure(kind, "simulated " + kind));
        }

        @Override
        public void pause() {
            pauses++;
        }

        @Override
        public void resume() {
            resumes++;
        }

        @Override
        public void cancel() {
            cancels++;
        }

        int pauses() {
            return pauses;
        }

        int resumes() {
            return resumes;
        }

        int cancels() {
            return cancels;
        }
    }
}
