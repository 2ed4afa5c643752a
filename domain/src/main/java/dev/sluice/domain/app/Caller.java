package dev.sluice.domain.app;

import java.util.Optional;
import java.util.UUID;

/** Who made a request: the app (registered or, with keys off, named by header) and the key used. */
public record Caller(Optional<UUID> appId, String appName, Optional<UUID> keyId) {
}
