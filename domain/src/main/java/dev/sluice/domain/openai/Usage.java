package dev.sluice.domain.openai;

/** Token usage as a backend reported it. "Not reported" is an empty Optional, never zeros. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }
}
