package dev.sluice.application.port;

import dev.sluice.domain.backend.Backend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every {@link BackendRepository} must do; extend it once per adapter. */
public abstract class BackendRepositoryContract {
    private BackendRepository repository;

    protected abstract BackendRepository newEmptyRepository();

    @BeforeEach
    void createRepository() {
        repository = newEmptyRepository();
    }

    @Test
    void anInsertedBackendIsFoundWithItsKeyHeadersAndModels() {
        Backend backend = aBackend().named("primary").withApiKey("sk-secret-value").withHeader("X-Org", "acme")
                .withPriority(3).servingModel("gpt-4o", "gpt-4o-2024-08-06").servingModel("mini").build();

        repository.insert(backend);

        assertEquals(Optional.of(backend), repository.findById(backend.id()));
        assertEquals(List.of(backend), repository.findAll());
    }

    @Test
    void anUnknownIdFindsNothing() {
        assertEquals(Optional.empty(), repository.findById(UUID.randomUUID()));
        assertEquals(List.of(), repository.findAll());
    }

    @Test
    void updateReplacesTheBackendAndItsModels() {
        Backend original = aBackend().named("old").servingModel("a").servingModel("b").build();
        repository.insert(original);
        Backend changed = aBackend().withId(original.id()).named("new").servingModel("c").disabled().build();

        assertTrue(repository.update(changed));

        assertEquals(Optional.of(changed), repository.findById(original.id()));
        assertEquals(1, repository.findAll().size());
    }

    @Test
    void updateOfAnUnknownBackendReportsFalseAndStoresNothing() {
        assertFalse(repository.update(aBackend().servingModel("m").build()));
        assertEquals(List.of(), repository.findAll());
    }

    @Test
    void deleteRemovesOnlyThatBackend() {
        Backend gone = aBackend().named("gone").servingModel("m").build();
        Backend kept = aBackend().named("kept").servingModel("m").build();
        repository.insert(gone);
        repository.insert(kept);

        assertTrue(repository.delete(gone.id()));
        assertFalse(repository.delete(gone.id()));

        assertEquals(List.of(kept), repository.findAll());
    }
}
