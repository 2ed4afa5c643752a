package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.API_KEY;
import static dev.sluice.db.jooq.Tables.APP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JooqAppRepositoryTest {
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.123456Z");

    private static TestDatabase db;
    private static JooqAppRepository repository;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
        repository = new JooqAppRepository(db.dsl());
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTables() {
        db.dsl().deleteFrom(APP).execute();
    }

    @Test
    void givenInsertedApps_whenFound_thenTheyComeBackSortedByName() {
        App zeta = new App(UUID.randomUUID(), "zeta");
        App alpha = new App(UUID.randomUUID(), "alpha");
        repository.insertApp(zeta);
        repository.insertApp(alpha);

        assertEquals(List.of(alpha, zeta), repository.findAllApps());
        assertEquals(Optional.of(zeta), repository.findApp(zeta.id()));
        assertTrue(repository.findApp(UUID.randomUUID()).isEmpty());
    }

    @Test
    void givenTwoAppsWithTheSameName_whenInserted_thenTheDatabaseRefusesTheSecond() {
        repository.insertApp(new App(UUID.randomUUID(), "twin"));

        assertThrows(RuntimeException.class, () -> repository.insertApp(new App(UUID.randomUUID(), "twin")));

        assertEquals(1, repository.findAllApps().size());
    }

    @Test
    void givenKeysOfTwoApps_whenFound_thenEachAppSeesOnlyItsOwn() {
        App first = app("first");
        App second = app("second");
        ApiKey a = key(first, T0);
        ApiKey b = key(first, T0.plusSeconds(1));
        ApiKey c = key(second, T0.plusSeconds(2));
        repository.insertKey(c);
        repository.insertKey(b);
        repository.insertKey(a);

        assertEquals(List.of(a, b), repository.findKeys(first.id()));
        assertEquals(List.of(c), repository.findKeys(second.id()));
        assertEquals(List.of(a, b, c), repository.findAllKeys());
        assertTrue(repository.findKeys(UUID.randomUUID()).isEmpty());
    }

    @Test
    void givenAKeyWithoutCreationTime_whenInserted_thenTheDatabaseSetsIt() {
        App app = app("no-time");
        ApiKey key = new ApiKey(UUID.randomUUID(), app.id(), "sk-sluice-abcd", randomHash(), null, Optional.empty());

        repository.insertKey(key);

        assertNotNull(repository.findKeys(app.id()).getFirst().createdAt());
    }

    @Test
    void givenALiveKey_whenRevoked_thenItIsMarkedOnceAndOnlyOnce() {
        App app = app("revoker");
        ApiKey key = key(app, T0);
        repository.insertKey(key);
        Instant at = T0.plus(1, ChronoUnit.HOURS);

        assertTrue(repository.revokeKey(app.id(), key.id(), at));
        assertEquals(Optional.of(at), repository.findKeys(app.id()).getFirst().revokedAt());

        assertFalse(repository.revokeKey(app.id(), key.id(), at.plusSeconds(60)), "already revoked");
        assertEquals(Optional.of(at), repository.findKeys(app.id()).getFirst().revokedAt(), "the first revocation time stays");
    }

    @Test
    void givenAKeyOfAnotherApp_whenRevoked_thenFalseAndTheKeyStaysLive() {
        App owner = app("owner");
        App stranger = app("stranger");
        ApiKey key = key(owner, T0);
        repository.insertKey(key);

        assertFalse(repository.revokeKey(stranger.id(), key.id(), T0.plusSeconds(5)));

        assertFalse(repository.findKeys(owner.id()).getFirst().revoked());
    }

    @Test
    void givenAnUnknownKey_whenRevoked_thenFalse() {
        App app = app("lonely");

        assertFalse(repository.revokeKey(app.id(), UUID.randomUUID(), T0));
    }

    @Test
    void givenAnAppWithKeys_whenTheAppRowIsDeleted_thenItsKeysGoToo() {
        App app = app("short-lived");
        repository.insertKey(key(app, T0));

        db.dsl().deleteFrom(APP).where(APP.ID.eq(app.id())).execute();

        assertEquals(0, db.dsl().fetchCount(API_KEY));
    }

    private static App app(String name) {
        App app = new App(UUID.randomUUID(), name);
        repository.insertApp(app);
        return app;
    }

    private static ApiKey key(App app, Instant createdAt) {
        return new ApiKey(UUID.randomUUID(), app.id(), "sk-sluice-" + UUID.randomUUID().toString().substring(0, 4),
                randomHash(), createdAt, Optional.empty());
    }

    private static String randomHash() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
