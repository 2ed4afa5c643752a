package dev.sluice.application.port;

import java.util.Map;

/**
 * Receives one backend response as it arrives. Calls come one at a time, in order, on the
 * thread that started the exchange; after {@code onEnd} or {@code onFailure} none follow.
 */
public interface UpstreamListener {
    /** The status line and headers (lower-case names, hop-by-hop headers removed). */
    void onHead(int status, Map<String, String> headers);

    void onChunk(byte[] data);

    void onEnd();

    void onFailure(UpstreamFailure failure);
}
