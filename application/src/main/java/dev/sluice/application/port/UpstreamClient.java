package dev.sluice.application.port;

/** Sends requests to backends. The listener is called on the calling thread's event loop. */
@FunctionalInterface
public interface UpstreamClient {
    UpstreamExchange send(UpstreamRequest request, UpstreamListener listener);
}
