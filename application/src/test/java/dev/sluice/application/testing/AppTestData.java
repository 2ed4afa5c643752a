package dev.sluice.application.testing;

import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.KeyHash;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Intent-named apps and stored keys for tests: {@code aKey().of(app).withPlainKey("sk-…").revoked().build()}. */
public final class AppTestData {
    public static final Instant CREATED_AT = Instant.parse("2025-01-01T00:00:00Z");

    private AppTestData() {
    }

    public static App anApp(String name) {
        return new App(UUID.randomUUID(), name);
    }

    public static KeyBuilder aKey() {
        return new KeyBuilder();
    }

    public static final class KeyBuilder {
        private UUID appId = UUID.randomUUID();
        private String plainKey = "sk-sluice-" + UUID.randomUUID();
        private Optional<Instant> revokedAt = Optional.empty();

        public KeyBuilder of(App app) {
            this.appId = app.id();
            return this;
        }

        public KeyBuilder withPlainKey(String plainKey) {
            this.plainKey = plainKey;
            return this;
        }

        public KeyBuilder revoked() {
            this.revokedAt = Optional.of(CREATED_AT.plusSeconds(60));
            return this;
        }

        public ApiKey build() {
            return new ApiKey(UUID.randomUUID(), appId, plainKey.substring(0, Math.min(14, plainKey.length())),
                    KeyHash.of(plainKey), CREATED_AT, revokedAt);
        }
    }
}
