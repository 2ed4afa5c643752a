package dev.sluice.domain.openai;

/** The OpenAI endpoints the gateway forwards; the path is relative to a backend's base URL. */
public enum Endpoint {
    CHAT_COMPLETIONS("/chat/completions", true),
    COMPLETIONS("/completions", true),
    EMBEDDINGS("/embeddings", false);

    private final String path;
    private final boolean streamable;

    Endpoint(String path, boolean streamable) {
        this.path = path;
        this.streamable = streamable;
    }

    public String path() {
        return path;
    }

    public boolean streamable() {
        return streamable;
    }
}
