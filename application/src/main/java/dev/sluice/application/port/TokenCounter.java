package dev.sluice.application.port;

import dev.sluice.domain.openai.PromptText;

/** Counts the prompt tokens of a request for a model, with a real tokenizer where one is plugged in. */
@FunctionalInterface
public interface TokenCounter {
    int promptTokens(String upstreamModel, PromptText prompt);

    /** About four characters a token: the fallback when no tokenizer is configured. */
    TokenCounter ESTIMATE = (model, prompt) -> prompt.estimateTokens();
}
