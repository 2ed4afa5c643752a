package dev.sluice.application.port;

import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.sluice.application.testing.AppTestData.aKey;
import static dev.sluice.application.testing.AppTestData.anApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every {@link AppRepository} must do; extend it once per adapter. */
public abstract class AppRepositoryContract {
    private static final Instant REVOKED_AT = Instant.parse("2025-02-01T10:00:00Z");
    private AppRepository repository;

    protected abstract AppRepository newEmptyRepository();

    @BeforeEach
    void createRepository() {
        repository = newEmptyRepository();
    }

    @Test
    void anInsertedAppIsFound() {
        App app = anApp("billing");

        repository.insertApp(app);

        assertEquals(Optional.of(app), repository.findApp(app.id()));
        assertEquals(List.of(app), repository.findAllApps());
        assertEquals(Optional.empty(), repository.findApp(UUID.randomUUID()));
    }

    @Test
    void keysAreFoundByTheirApp() {
        App billing = anApp("billing");
        App search = anApp("search");
        repository.insertApp(billing);
        repository.insertApp(search);
        ApiKey billingKey = aKey().of(billing).build();
        ApiKey searchKey = aKey().of(search).build();

        repository.insertKey(billingKey);
        repository.insertKey(searchKey);

        assertEquals(List.of(billingKey), repository.findKeys(billing.id()));
        assertEquals(Set.of(billingKey, searchKey), Set.copyOf(repository.findAllKeys()));
    }

    @Test
    void revokingALiveKeyRecordsWhen() {
        App app = anApp("billing");
        repository.insertApp(app);
        ApiKey key = aKey().of(app).build();
        repository.insertKey(key);

        assertTrue(repository.revokeKey(app.id(), key.id(), REVOKED_AT));

        ApiKey stored = repository.findKeys(app.id()).getFirst();
        assertEquals(Optional.of(REVOKED_AT), stored.revokedAt());
        assertEquals(key.hash(), stored.hash());
    }

    @Test
    void revokingAnUnknownAForeignOrARevokedKeyReportsFalse() {
        App owner = anApp("owner");
        App other = anApp("other");
        repository.insertApp(owner);
        repository.insertApp(other);
        ApiKey key = aKey().of(owner).build();
        repository.insertKey(key);

        assertFalse(repository.revokeKey(owner.id(), UUID.randomUUID(), REVOKED_AT));
        assertFalse(repository.revokeKey(other.id(), key.id(), REVOKED_AT));
        assertTrue(repository.revokeKey(owner.id(), key.id(), REVOKED_AT));
        assertFalse(repository.revokeKey(owner.id(), key.id(), REVOKED_AT.plusSeconds(1)));
        assertEquals(Optional.of(REVOKED_AT), repository.findKeys(owner.id()).getFirst().revokedAt());
    }
}
