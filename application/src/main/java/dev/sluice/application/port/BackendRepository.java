package dev.sluice.application.port;

import dev.sluice.domain.backend.Backend;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where backends and the models they serve are kept. API keys are stored encrypted by the adapter. */
public interface BackendRepository {
    List<Backend> findAll();

    Optional<Backend> findById(UUID id);

    void insert(Backend backend);

    /** Replaces a backend and its models; false when no backend has that id. */
    boolean update(Backend backend);

    boolean delete(UUID id);
}
