package dev.sluice.application.proxy;

import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.MalformedJsonException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client's side of a response. It holds the proxy to the {@link ResponseSink} contract (one
 * head first, then chunks, then one end or abort) and lets a test play the client going away or
 * falling behind.
 */
final class RecordingResponseSink implements ResponseSink {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final List<String> chunks = new ArrayList<>();
    private Integer status;
    private String contentType;
    private long contentLength;
    private Map<String, String> headers;
    private boolean ended;
    private boolean aborted;
    private boolean clientGone;
    private Runnable onClientGone;
    private WritabilityListener writabilityListener;

    @Override
    public void head(int status, String contentType, long contentLength, Map<String, String> headers) {
        requireOpen("head");
        if (this.status != null) {
            fail("head written twice");
        }
        this.status = status;
        this.contentType = contentType;
        this.contentLength = contentLength;
        this.headers = Map.copyOf(headers);
    }

    @Override
    public void chunk(byte[] data) {
        requireOpen("chunk");
        if (status == null) {
            fail("chunk written before the head");
        }
        if (data.length == 0) {
            fail("empty chunk written");
        }
        body.writeBytes(data);
        chunks.add(new String(data, StandardCharsets.UTF_8));
    }

    @Override
    public void end() {
        requireOpen("end");
        if (status == null) {
            fail("end before the head");
        }
        ended = true;
    }

    @Override
    public void abort() {
        requireOpen("abort");
        aborted = true;
    }

    @Override
    public void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    @Override
    public void onWritabilityChanged(WritabilityListener listener) {
        this.writabilityListener = listener;
    }

    void clientDisconnects() {
        clientGone = true;
        if (onClientGone != null && !ended && !aborted) {
            onClientGone.run();
        }
    }

    void clientFallsBehind() {
        assertNotNull(writabilityListener, "no writability listener registered");
        writabilityListener.writable(false);
    }

    void clientCatchesUp() {
        assertNotNull(writabilityListener, "no writability listener registered");
        writabilityListener.writable(true);
    }

    private void requireOpen(String call) {
        if (ended || aborted) {
            fail(call + " after the response was finished");
        }
        if (clientGone) {
            fail(call + " after the client went away");
        }
    }

    int status() {
        assertNotNull(status, "no head written");
        return status;
    }

    String contentType() {
        return contentType;
    }

    long contentLength() {
        return contentLength;
    }

    Map<String, String> headers() {
        return headers;
    }

    byte[] body() {
        return body.toByteArray();
    }

    String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    List<String> chunks() {
        return chunks;
    }

    boolean ended() {
        return ended;
    }

    boolean aborted() {
        return aborted;
    }

    boolean nothingWritten() {
        return status == null && chunks.isEmpty() && !ended && !aborted;
    }

    /** The body read as an OpenAI error object. */
    ErrorBody error() {
        return ErrorBody.parse(body());
    }

    record ErrorBody(String message, String type, String code, String param) {
        static ErrorBody parse(byte[] json) {
            Map<String, String> error = new HashMap<>();
            try {
                Map<String, int[]> top = new HashMap<>();
                JsonScanner.scanObject(json, 0, json.length, (ks, ke, vs, ve) -> top.put(text(json, ks, ke), new int[] {vs, ve}));
                int[] span = top.get("error");
                assertNotNull(span, "no error member in " + new String(json, StandardCharsets.UTF_8));
                JsonScanner.scanObject(json, span[0], span[1], (ks, ke, vs, ve) ->
                        error.put(text(json, ks, ke), json[vs] == '"' ? JsonScanner.decodeString(json, vs, ve) : null));
            } catch (MalformedJsonException e) {
                fail("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
            }
            return new ErrorBody(error.get("message"), error.get("type"), error.get("code"), error.get("param"));
        }

        private static String text(byte[] b, int start, int end) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
    }
}
