package dev.sluice.application.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.BackendRepository;
import dev.sluice.domain.backend.Backend;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Managing backends. Every change is stored, then the live routing snapshot is rebuilt at once. */
public final class BackendService {
    private final BackendRepository repository;
    private final LiveConfiguration configuration;

    public BackendService(BackendRepository repository, LiveConfiguration configuration) {
        this.repository = repository;
        this.configuration = configuration;
    }

    public List<Backend> list() {
        return repository.findAll().stream()
                .sorted(Comparator.comparingInt(Backend::priority).thenComparing(Backend::name))
                .toList();
    }

    public Optional<Backend> get(UUID id) {
        return repository.findById(id);
    }

    public Backend create(BackendCommand command) {
        requireUniqueName(command.name(), null);
        Backend backend = command.toBackend(UUID.randomUUID(), Optional.empty());
        repository.insert(backend);
        configuration.changed();
        return backend;
    }

    public Optional<Backend> update(UUID id, BackendCommand command) {
        Optional<Backend> existing = repository.findById(id);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        requireUniqueName(command.name(), id);
        Backend backend = command.toBackend(id, existing.get().apiKey());
        if (!repository.update(backend)) {
            return Optional.empty();
        }
        configuration.changed();
        return Optional.of(backend);
    }

    public boolean delete(UUID id) {
        boolean deleted = repository.delete(id);
        if (deleted) {
            configuration.changed();
        }
        return deleted;
    }

    private void requireUniqueName(String name, UUID self) {
        boolean taken = repository.findAll().stream()
                .anyMatch(b -> b.name().equalsIgnoreCase(name) && !b.id().equals(self));
        if (taken) {
            throw new InvalidFieldsException(List.of(new FieldError("name", "is already used by another backend")));
        }
    }
}
