package dev.sluice.domain.app;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KeyTableTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private final App billing = new App(UUID.randomUUID(), "billing");

    @Test
    void givenALiveKey_whenPresented_thenItsAppAndKeyAreTheCaller() {
        ApiKey key = storedKey(billing, "sk-sluice-live", Optional.empty());

        Optional<Caller> caller = KeyTable.of(List.of(billing), List.of(key)).authenticate("sk-sluice-live");

        assertEquals(Optional.of(new Caller(Optional.of(billing.id()), "billing", Optional.of(key.id()))), caller);
    }

    @Test
    void givenARevokedKey_whenPresented_thenItIsRefused() {
        ApiKey revoked = storedKey(billing, "sk-sluice-old", Optional.of(NOW));

        assertEquals(Optional.empty(), KeyTable.of(List.of(billing), List.of(revoked)).authenticate("sk-sluice-old"));
    }

    @Test
    void givenAnUnknownKey_whenPresented_thenItIsRefused() {
        KeyTable table = KeyTable.of(List.of(billing), List.of(storedKey(billing, "sk-sluice-live", Optional.empty())));

        assertEquals(Optional.empty(), table.authenticate("sk-sluice-LIVE"));
        assertEquals(Optional.empty(), table.authenticate(""));
        assertEquals(Optional.empty(), KeyTable.empty().authenticate("sk-sluice-live"));
    }

    @Test
    void givenAKeyWhoseAppIsGone_whenPresented_thenItIsRefused() {
        ApiKey orphan = storedKey(new App(UUID.randomUUID(), "deleted"), "sk-sluice-orphan", Optional.empty());

        assertEquals(Optional.empty(), KeyTable.of(List.of(billing), List.of(orphan)).authenticate("sk-sluice-orphan"));
    }

    @Test
    void givenARegisteredAppName_thenTheCallerKeepsTheAppsId() {
        assertEquals(new Caller(Optional.of(billing.id()), "billing", Optional.empty()),
                KeyTable.of(List.of(billing), List.of()).byAppName("billing"));
    }

    @Test
    void givenAnUnregisteredAppName_thenTheCallerIsNamedButHasNoId() {
        assertEquals(new Caller(Optional.empty(), "adhoc", Optional.empty()), KeyTable.empty().byAppName("adhoc"));
    }

    private static ApiKey storedKey(App app, String plain, Optional<Instant> revokedAt) {
        return new ApiKey(UUID.randomUUID(), app.id(), plain.substring(0, 8), KeyHash.of(plain), NOW, revokedAt);
    }
}
