package dev.sluice.application.testing;

import dev.sluice.application.port.BackendRepository;
import dev.sluice.domain.backend.Backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The backend store of application tests; {@code BackendRepositoryContract} keeps it honest. */
public final class InMemoryBackendRepository implements BackendRepository {
    private final Map<UUID, Backend> backends = new LinkedHashMap<>();

    @Override
    public synchronized List<Backend> findAll() {
        return new ArrayList<>(backends.values());
    }

    @Override
    public synchronized Optional<Backend> findById(UUID id) {
        return Optional.ofNullable(backends.get(id));
    }

    @Override
    public synchronized void insert(Backend backend) {
        if (backends.putIfAbsent(backend.id(), backend) != null) {
            throw new IllegalStateException("backend " + backend.id() + " exists");
        }
    }

    @Override
    public synchronized boolean update(Backend backend) {
        return backends.replace(backend.id(), backend) != null;
    }

    @Override
    public synchronized boolean delete(UUID id) {
        return backends.remove(id) != null;
    }
}
