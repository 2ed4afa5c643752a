package dev.sluice.application.port;

import dev.sluice.application.testing.InMemoryAppRepository;

class InMemoryAppRepositoryTest extends AppRepositoryContract {
    @Override
    protected AppRepository newEmptyRepository() {
        return new InMemoryAppRepository();
    }
}
