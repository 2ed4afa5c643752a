package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.port.BackendRepository;
import dev.sluice.domain.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Backends kept in memory, for the proxy tests. */
final class InMemoryBackendRepository implements BackendRepository {
    private final Map<UUID, Backend> backends = new ConcurrentHashMap<>();

    @Override
    public List<Backend> findAll() {
        return new ArrayList<>(backends.values());
    }

    @Override
    public Optional<Backend> findById(UUID id) {
        return Optional.ofNullable(backends.get(id));
    }

    @Override
    public void insert(Backend backend) {
        backends.put(backend.id(), backend);
    }

    @Override
    public boolean update(Backend backend) {
        return backends.replace(backend.id(), backend) != null;
    }

    @Override
    public boolean delete(UUID id) {
        return backends.remove(id) != null;
    }
}
