package dev.sluice.adapters.persistence;

import dev.sluice.application.port.SecretCipher;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendOptions;
import dev.sluice.domain.backend.HealthCheck;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;
import org.jooq.JSONB;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.UUID;

/** Maps backend rows to the domain and back; the API key is decrypted here and nowhere else. */
final class BackendRows {
    private final SecretCipher cipher;

    BackendRows(SecretCipher cipher) {
        this.cipher = cipher;
    }

    Backend toBackend(UUID id, String name, String baseUrl, byte[] apiKeyCiphertext, Integer priority, Integer weight,
                      Integer timeoutMs, Boolean enabled, JSONB headers, List<ModelMapping> models, BackendOptions options,
                      Limits limits, CapAndQuota capAndQuota) {
        Optional<Secret> apiKey = apiKeyCiphertext == null
                ? Optional.empty()
                : Optional.of(Secret.of(cipher.decrypt(apiKeyCiphertext)));
        return new Backend(id, name, baseUrl, apiKey, priority, weight, timeoutMs, enabled,
                HeadersJson.read(headers), models, options.withLimits(limits).withOutputCapAndQuota(capAndQuota.cap(),
                capAndQuota.quota()));
    }

    record CapAndQuota(OptionalInt cap, Optional<Quota> quota) {
    }

    static CapAndQuota toCapAndQuota(Integer maxOutputTokens, Long requests, Long tokens, String cron, String zone) {
        return new CapAndQuota(maxOutputTokens == null ? OptionalInt.empty() : OptionalInt.of(maxOutputTokens),
                QuotaRows.toQuota(requests, tokens, cron, zone));
    }

    static Limits toLimits(Integer rpm, Long tpm, Integer rpd, Long tpr, Integer maxConcurrent) {
        return new Limits(rpm == null ? OptionalInt.empty() : OptionalInt.of(rpm),
                tpm == null ? OptionalLong.empty() : OptionalLong.of(tpm),
                rpd == null ? OptionalInt.empty() : OptionalInt.of(rpd),
                tpr == null ? OptionalLong.empty() : OptionalLong.of(tpr),
                maxConcurrent == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrent));
    }

    static BackendOptions toOptions(Integer retry, Boolean streamSupport, Boolean nonStreamSupport, Integer maxContextTokens,
                                    Boolean healthCheckEnabled, String healthCheckPath, Integer healthCheckIntervalMs,
                                    Integer healthCheckTimeoutMs) {
        return new BackendOptions(retry, streamSupport, nonStreamSupport,
                maxContextTokens == null ? OptionalInt.empty() : OptionalInt.of(maxContextTokens),
                new HealthCheck(healthCheckEnabled, healthCheckPath, Duration.ofMillis(healthCheckIntervalMs),
                        Duration.ofMillis(healthCheckTimeoutMs)));
    }

    byte[] apiKeyCiphertext(Backend backend) {
        return backend.apiKey().map(key -> cipher.encrypt(key.reveal())).orElse(null);
    }

    static String apiKeyHint(Backend backend) {
        return backend.apiKey().map(Secret::masked).orElse(null);
    }
}
