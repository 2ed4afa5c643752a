package dev.sluice.application.port;

/** Control over a request in flight: flow control for slow clients, and cancellation. */
public interface UpstreamExchange {
    /** Stop reading the backend's response until {@link #resume()} (the client is not keeping up). */
    void pause();

    void resume();

    /** Abandon the request: the backend connection is closed so the backend stops generating. */
    void cancel();
}
