package dev.sluice.application.port;

import java.util.List;

/** The ordered list of models behind the public model name {@code auto}. */
public interface AutoModelRepository {
    List<String> findAll();

    void replaceAll(List<String> models);
}
