package dev.sluice.adapters.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.application.port.TokenCounter;
import dev.sluice.domain.openai.PromptText;

import java.util.Locale;

/**
 * Counts prompt tokens with the encoding of the model's family: {@code o200k_base} for the
 * GPT-4o, GPT-4.1, GPT-5 and o-series models, {@code cl100k_base} for GPT-4, GPT-3.5 and the
 * embedding models — and, documented as the fallback, {@code cl100k_base} for any model it does
 * not recognise (other vendors' tokenizers differ; counts for them are close, not exact).
 * Chat requests add the per-message overhead of the chat format (4 tokens a message, 3 for the
 * reply's priming), as OpenAI's cookbook counts it.
 */
public final class JtokkitTokenCounter implements TokenCounter {
    private static final int REPLY_PRIMING = 3;

    // an encoding's tables take tens of MB: each is loaded on first use, not at start
    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    private volatile Encoding o200k;
    private volatile Encoding cl100k;

    private Encoding o200k() {
        Encoding e = o200k;
        if (e == null) {
            e = registry.getEncoding(EncodingType.O200K_BASE);
            o200k = e;
        }
        return e;
    }

    private Encoding cl100k() {
        Encoding e = cl100k;
        if (e == null) {
            e = registry.getEncoding(EncodingType.CL100K_BASE);
            cl100k = e;
        }
        return e;
    }

    @Override
    public int promptTokens(String upstreamModel, PromptText prompt) {
        Encoding encoding = encodingFor(upstreamModel);
        long tokens = 0;
        for (String part : prompt.parts()) {
            tokens += encoding.countTokensOrdinary(part);
        }
        if (prompt.messages() > 0) {
            tokens += (long) prompt.messages() * PromptText.TOKENS_PER_MESSAGE + REPLY_PRIMING;
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    Encoding encodingFor(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) {
            m = m.substring(slash + 1); // "openai/gpt-4o" as some hosts name it
        }
        if (m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-4.5") || m.startsWith("gpt-5")
                || m.startsWith("chatgpt-4o") || m.matches("o[1-9].*") || m.startsWith("gpt-oss")) {
            return o200k();
        }
        return cl100k();
    }
}
