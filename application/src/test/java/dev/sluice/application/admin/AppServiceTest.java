package dev.sluice.application.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.testing.InMemoryAppRepository;
import dev.sluice.application.testing.InMemoryBackendRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.Caller;
import dev.sluice.domain.app.KeyHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppServiceTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final InMemoryAppRepository repository = new InMemoryAppRepository();
    private final LiveConfiguration configuration = new LiveConfiguration(new InMemoryBackendRepository(), repository,
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final AppService service = new AppService(repository, configuration, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void anIssuedKeyIsShownOnceAndStoredOnlyAsItsHash() {
        App app = service.create("billing");

        IssuedKey issued = service.issueKey(app.id()).orElseThrow();

        assertTrue(issued.key().matches("sk-sluice-[A-Za-z0-9]{40}"), issued.key());
        assertEquals(issued.key().substring(0, 14), issued.prefix());
        ApiKey stored = repository.findKeys(app.id()).getFirst();
        assertEquals(issued.id(), stored.id());
        assertEquals(KeyHash.of(issued.key()), stored.hash());
        assertEquals(issued.prefix(), stored.prefix());
        assertEquals(NOW, stored.createdAt());
        assertFalse(stored.toString().contains(issued.key()), "the stored form never holds the key");
        assertFalse(issued.toString().contains(issued.key()), "an issued key never prints itself");
    }

    @Test
    void anIssuedKeyAuthenticatesAtOnce() {
        App app = service.create("billing");

        IssuedKey issued = service.issueKey(app.id()).orElseThrow();

        assertEquals(Optional.of(new Caller(Optional.of(app.id()), "billing", Optional.of(issued.id()))),
                configuration.current().keys().authenticate(issued.key()));
    }

    @Test
    void aRevokedKeyIsRefusedAtOnceWhileTheAppsOtherKeysStillWork() {
        App app = service.create("billing");
        IssuedKey revoked = service.issueKey(app.id()).orElseThrow();
        IssuedKey kept = service.issueKey(app.id()).orElseThrow();

        assertTrue(service.revokeKey(app.id(), revoked.id()));

        assertEquals(Optional.empty(), configuration.current().keys().authenticate(revoked.key()));
        assertTrue(configuration.current().keys().authenticate(kept.key()).isPresent());
        assertEquals(Optional.of(NOW), repository.findKeys(app.id()).stream()
                .filter(k -> k.id().equals(revoked.id())).findFirst().orElseThrow().revokedAt());
    }

    @Test
    void revokingAKeyOfAnotherAppOrTwiceReportsFalse() {
        App owner = service.create("owner");
        App other = service.create("other");
        IssuedKey key = service.issueKey(owner.id()).orElseThrow();

        assertFalse(service.revokeKey(other.id(), key.id()));
        assertTrue(configuration.current().keys().authenticate(key.key()).isPresent());
        assertTrue(service.revokeKey(owner.id(), key.id()));
        assertFalse(service.revokeKey(owner.id(), key.id()));
    }

    @Test
    void keysAreRandom() {
        App app = service.create("billing");

        assertNotEquals(service.issueKey(app.id()).orElseThrow().key(), service.issueKey(app.id()).orElseThrow().key());
    }

    @Test
    void givenAnUnknownApp_thenNoKeyIsIssuedOrListed() {
        UUID unknown = UUID.randomUUID();

        assertEquals(Optional.empty(), service.issueKey(unknown));
        assertEquals(Optional.empty(), service.keys(unknown));
        assertEquals(List.of(), repository.findAllKeys());
    }

    @Test
    void keysOfAnAppAreListedWithoutTheirSecret() {
        App app = service.create("billing");
        IssuedKey issued = service.issueKey(app.id()).orElseThrow();

        List<ApiKey> keys = service.keys(app.id()).orElseThrow();

        assertEquals(1, keys.size());
        assertEquals(issued.prefix(), keys.getFirst().prefix());
    }

    @Test
    void aCreatedAppIsKnownByNameAtOnce() {
        App app = service.create("billing");

        assertEquals(Optional.of(app.id()), configuration.current().keys().byAppName("billing").appId());
        assertEquals(Optional.of(app), service.get(app.id()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "-dash-first", "has/slash", "emoji ☕"})
    void givenABadName_thenNameIsRejected(String name) {
        InvalidFieldsException e = assertThrows(InvalidFieldsException.class, () -> service.create(name));

        assertEquals(List.of("name"), e.errors().stream().map(FieldError::field).toList());
        assertEquals(List.of(), service.list());
    }

    @Test
    void givenANameTakenInAnyCase_thenNameIsRejected() {
        service.create("Billing");

        assertThrows(InvalidFieldsException.class, () -> service.create("billing"));
        assertEquals(1, service.list().size());
    }

    @Test
    void listIsByName() {
        App zeta = service.create("zeta");
        App alpha = service.create("alpha");

        assertEquals(List.of(alpha, zeta), service.list());
    }
}
