package dev.sluice.domain.openai;

import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Keeps the last bytes of a non-streamed response as it passes through, enough to read the
 * {@code usage} member that OpenAI-compatible servers write at the end, without holding the
 * whole body. It keeps references to the most recent chunks (no copying while the answer flows);
 * the chunks must not be modified after they are appended.
 */
public final class ResponseTail {
    private final int capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(4);
    private long kept;

    public ResponseTail(int capacity) {
        this.capacity = capacity;
    }

    public void append(byte[] chunk) {
        if (chunk.length == 0) {
            return;
        }
        chunks.addLast(chunk);
        kept += chunk.length;
        // drop the oldest chunks while what remains still covers the capacity
        while (chunks.size() > 1 && kept - chunks.peekFirst().length >= capacity) {
            kept -= chunks.pollFirst().length;
        }
    }

    public Optional<Usage> usage() {
        if (chunks.isEmpty()) {
            return Optional.empty();
        }
        if (chunks.size() == 1) {
            byte[] only = chunks.peekFirst();
            return UsageParser.findInTail(only, only.length);
        }
        byte[] joined = new byte[(int) kept];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, joined, at, c.length);
            at += c.length;
        }
        return UsageParser.findInTail(joined, joined.length);
    }
}
