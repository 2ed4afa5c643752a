package dev.sluice.domain.backend;

import java.util.Objects;

/** A model a backend serves: the public name clients use and the name the backend knows it by. */
public record ModelMapping(String name, String upstreamModel) {
    public ModelMapping {
        Objects.requireNonNull(name, "name");
        if (upstreamModel == null || upstreamModel.isBlank()) {
            upstreamModel = name;
        }
    }
}
