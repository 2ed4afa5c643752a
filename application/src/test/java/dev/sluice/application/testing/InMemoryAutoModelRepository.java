package dev.sluice.application.testing;

import dev.sluice.application.port.AutoModelRepository;

import java.util.List;

/** The ordered models behind {@code auto}, in memory. */
public final class InMemoryAutoModelRepository implements AutoModelRepository {
    private List<String> models = List.of();

    @Override
    public synchronized List<String> findAll() {
        return models;
    }

    @Override
    public synchronized void replaceAll(List<String> models) {
        this.models = List.copyOf(models);
    }
}
