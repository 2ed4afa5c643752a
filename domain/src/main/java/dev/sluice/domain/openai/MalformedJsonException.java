package dev.sluice.domain.openai;

/** The bytes are not valid JSON; the message says where, for the client's error. */
public final class MalformedJsonException extends Exception {
    public MalformedJsonException(String message) {
        super(message, null, false, false);
    }
}
