package dev.sluice.domain.app;

import java.util.Objects;
import java.util.UUID;

/** A client application that calls the gateway. */
public record App(UUID id, String name, AppPolicy policy) {
    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        policy = policy == null ? AppPolicy.DEFAULT : policy;
    }

    /** An app with the default policy (no limits, normal priority, no quota). */
    public App(UUID id, String name) {
        this(id, name, AppPolicy.DEFAULT);
    }

    public App withPolicy(AppPolicy newPolicy) {
        return new App(id, name, newPolicy);
    }
}
