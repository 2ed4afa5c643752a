package dev.sluice.domain.app;

import java.util.Objects;
import java.util.UUID;

/** A client application that calls the gateway. */
public record App(UUID id, String name) {
    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
    }
}
