package dev.sluice.domain.openai;

import java.util.Optional;

/**
 * Keeps the last bytes of a non-streamed response as it passes through, enough to read the
 * {@code usage} member that OpenAI-compatible servers write at the end, without holding the
 * whole body.
 */
public final class ResponseTail {
    private final byte[] ring;
    private long written;

    public ResponseTail(int capacity) {
        this.ring = new byte[capacity];
    }

    public void append(byte[] chunk) {
        int cap = ring.length;
        int from = Math.max(0, chunk.length - cap);
        written += from;
        for (int i = from; i < chunk.length; i++) {
            ring[(int) (written++ % cap)] = chunk[i];
        }
    }

    public Optional<Usage> usage() {
        int cap = ring.length;
        int length = (int) Math.min(written, cap);
        byte[] ordered = new byte[length];
        long start = written - length;
        for (int i = 0; i < length; i++) {
            ordered[i] = ring[(int) ((start + i) % cap)];
        }
        return UsageParser.findInTail(ordered, length);
    }
}
