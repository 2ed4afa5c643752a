package dev.sluice.application.port;

import dev.sluice.application.testing.InMemoryBackendRepository;

class InMemoryBackendRepositoryTest extends BackendRepositoryContract {
    @Override
    protected BackendRepository newEmptyRepository() {
        return new InMemoryBackendRepository();
    }
}
