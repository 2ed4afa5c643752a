package dev.sluice.domain.openai;

import java.util.Arrays;
import java.util.Optional;

/**
 * Watches a Server-Sent Events stream from a backend as it passes through. It picks up the
 * {@code usage} a backend sends in its final chunk and, when the client did not ask for that
 * chunk (the gateway asked on its behalf), removes exactly that event. Every other byte is
 * forwarded unchanged; only whole events are forwarded, so an event split across network reads
 * waits for its end.
 */
public final class SseUsageFilter {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_TEXT_CHARS = 4 * 1024 * 1024;

    private final boolean forwardUsageChunk;
    private final StringBuilder text;
    private byte[] pending = EMPTY;
    private Usage usage;
    private int events;

    public SseUsageFilter(boolean forwardUsageChunk) {
        this(forwardUsageChunk, false);
    }

    /**
     * @param collectText also keep the output text (chat {@code delta.content}, completion {@code text}) read
     *                    in the same pass, so a stream whose backend never reports usage can be estimated
     */
    public SseUsageFilter(boolean forwardUsageChunk, boolean collectText) {
        this.forwardUsageChunk = forwardUsageChunk;
        this.text = collectText ? new StringBuilder() : null;
    }

    /** The output text seen so far (empty unless collecting). */
    public String text() {
        return text == null ? "" : text.toString();
    }

    /** Takes the next bytes from the backend and returns the bytes to send the client now (maybe none). */
    public byte[] feed(byte[] chunk) {
        byte[] data;
        if (pending.length == 0) {
            data = chunk;
        } else {
            data = Arrays.copyOf(pending, pending.length + chunk.length);
            System.arraycopy(chunk, 0, data, pending.length, chunk.length);
        }
        int eventStart = 0;
        int complete = 0;
        byte[] out = null;
        int outLength = 0;
        int i = 0;
        while (i < data.length) {
            int boundary = SseEvents.boundaryEnd(data, i);
            if (boundary < 0) {
                i++;
                continue;
            }
            events++;
            boolean drop = inspect(data, eventStart, boundary);
            if (drop) {
                if (out == null) {
                    out = new byte[data.length];
                    System.arraycopy(data, 0, out, 0, eventStart);
                    outLength = eventStart;
                }
            } else if (out != null) {
                System.arraycopy(data, eventStart, out, outLength, boundary - eventStart);
                outLength += boundary - eventStart;
            }
            eventStart = boundary;
            complete = boundary;
            i = boundary;
        }
        pending = complete == data.length ? EMPTY : Arrays.copyOfRange(data, complete, data.length);
        if (out != null) {
            return Arrays.copyOf(out, outLength);
        }
        if (complete == data.length) {
            return data;
        }
        return complete == 0 ? EMPTY : Arrays.copyOf(data, complete);
    }

    /** The bytes of an unfinished last event, if the backend ended without a blank line. */
    public byte[] finish() {
        byte[] rest = pending;
        pending = EMPTY;
        if (rest.length > 0 && inspect(rest, 0, rest.length)) {
            return EMPTY;
        }
        return rest;
    }

    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    public int events() {
        return events;
    }

    /** Reads one event; returns true when it is the usage-only chunk the client did not ask for. */
    private boolean inspect(byte[] d, int start, int end) {
        // the first data line with a JSON object decides
        boolean[] drop = new boolean[1];
        SseEvents.forEachJsonData(d, start, end, (from, to) -> {
            drop[0] = inspectJson(d, from, to);
            return true;
        });
        return drop[0];
    }

    private boolean inspectJson(byte[] d, int start, int end) {
        int[] usageSpan = {-1, -1};
        boolean[] emptyChoices = {false};
        try {
            JsonScanner.scanObject(d, start, end, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(d, ks, ke, "usage") && d[vs] == '{') {
                    usageSpan[0] = vs;
                    usageSpan[1] = ve;
                } else if (JsonScanner.equalsAscii(d, ks, ke, "choices")) {
                    emptyChoices[0] = isEmptyArray(d, vs, ve);
                    if (text != null && d[vs] == '[' && text.length() < MAX_TEXT_CHARS) {
                        SseEvents.forEachOutputText(d, vs, ve, text::append);
                    }
                }
            });
        } catch (MalformedJsonException e) {
            return false;
        }
        if (usageSpan[0] < 0) {
            return false;
        }
        UsageParser.parseObject(d, usageSpan[0], usageSpan[1]).ifPresent(u -> usage = u);
        return emptyChoices[0] && !forwardUsageChunk;
    }

    private static boolean isEmptyArray(byte[] d, int start, int end) {
        if (d[start] != '[') {
            return false;
        }
        for (int i = start + 1; i < end - 1; i++) {
            if (d[i] != ' ' && d[i] != '\n' && d[i] != '\r' && d[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
