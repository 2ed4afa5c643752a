package dev.sluice.application.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.testing.InMemoryAppRepository;
import dev.sluice.application.testing.InMemoryBackendRepository;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.Secret;
import dev.sluice.domain.routing.Route;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.application.admin.BackendCommandTestData.aBackendCommand;
import static dev.sluice.application.testing.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendServiceTest {
    private final InMemoryBackendRepository repository = new InMemoryBackendRepository();
    private final LiveConfiguration configuration = new LiveConfiguration(repository, new InMemoryAppRepository(),
            Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC));
    private final BackendService service = new BackendService(repository, configuration);

    @Test
    void givenANewBackend_whenCreated_thenItIsStoredAndRoutesAtOnce() {
        Backend created = service.create(aBackendCommand().named("primary").withApiKey("sk-primary").build());

        assertEquals(Optional.of(created), repository.findById(created.id()));
        assertEquals(Optional.of(Secret.of("sk-primary")), created.apiKey());
        Route route = configuration.current().routing().first("gpt-4o").orElseThrow();
        assertEquals(created.id(), route.backend().id());
        assertEquals("gpt-4o-2024-08-06", route.upstreamModel());
    }

    @Test
    void givenANameAlreadyUsedInAnyCase_whenCreating_thenNameIsRejectedAndNothingStored() {
        service.create(aBackendCommand().named("Primary").build());

        InvalidFieldsException e = assertThrows(InvalidFieldsException.class,
                () -> service.create(aBackendCommand().named("primary").build()));

        assertEquals(List.of("name"), e.errors().stream().map(FieldError::field).toList());
        assertEquals(1, repository.findAll().size());
    }

    @Test
    void givenAnUpdateWithoutApiKey_thenTheStoredKeyIsKept() {
        Backend created = service.create(aBackendCommand().withApiKey("sk-stored").build());

        Backend updated = service.update(created.id(), aBackendCommand().withPriority(4).build()).orElseThrow();

        assertEquals(Optional.of(Secret.of("sk-stored")), updated.apiKey());
        assertEquals(4, updated.priority());
        assertEquals(Optional.of(updated), repository.findById(created.id()));
    }

    @Test
    void givenAnUpdateWithAnEmptyApiKey_thenTheKeyIsRemoved() {
        Backend created = service.create(aBackendCommand().withApiKey("sk-stored").build());

        assertEquals(Optional.empty(), service.update(created.id(), aBackendCommand().withApiKey("").build()).orElseThrow().apiKey());
    }

    @Test
    void aBackendMayKeepItsOwnNameOnUpdateButNotTakeAnothers() {
        Backend first = service.create(aBackendCommand().named("first").build());
        service.create(aBackendCommand().named("second").build());

        assertTrue(service.update(first.id(), aBackendCommand().named("FIRST").build()).isPresent());
        assertThrows(InvalidFieldsException.class, () -> service.update(first.id(), aBackendCommand().named("Second").build()));
    }

    @Test
    void givenAnUnknownBackend_whenUpdating_thenNothingHappens() {
        long version = configuration.reload().version();

        assertEquals(Optional.empty(), service.update(UUID.randomUUID(), aBackendCommand().build()));
        assertEquals(version, configuration.current().version());
        assertEquals(List.of(), repository.findAll());
    }

    @Test
    void givenABackendIsDisabled_thenItsModelsStopRoutingAtOnce() {
        Backend created = service.create(aBackendCommand().build());

        service.update(created.id(), aBackendCommand().disabled().build());

        assertEquals(Optional.empty(), configuration.current().routing().first("gpt-4o"));
    }

    @Test
    void givenABackendIsDeleted_thenItStopsRoutingAtOnce() {
        Backend created = service.create(aBackendCommand().build());

        assertTrue(service.delete(created.id()));

        assertEquals(Optional.empty(), configuration.current().routing().first("gpt-4o"));
        assertFalse(service.delete(created.id()));
    }

    @Test
    void listIsInPriorityThenNameOrder() {
        Backend late = aBackend().named("a-late").withPriority(9).servingModel("m").build();
        Backend zulu = aBackend().named("zulu").withPriority(1).servingModel("m").build();
        Backend alpha = aBackend().named("alpha").withPriority(1).servingModel("m").build();
        repository.insert(late);
        repository.insert(zulu);
        repository.insert(alpha);

        assertEquals(List.of(alpha, zulu, late), service.list());
        assertEquals(Optional.of(late), service.get(late.id()));
    }
}
