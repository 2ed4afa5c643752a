package dev.sluice.application.admin;

import dev.sluice.application.config.ConfigSnapshot;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.AutoModelRepository;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The ordered list of models behind {@code auto}: the first with an available backend serves. */
public final class AutoModelService {
    private final AutoModelRepository repository;
    private final LiveConfiguration configuration;

    public AutoModelService(AutoModelRepository repository, LiveConfiguration configuration) {
        this.repository = repository;
        this.configuration = configuration;
    }

    public List<String> list() {
        return repository.findAll();
    }

    public List<String> replace(List<String> models) {
        List<FieldError> errors = new ArrayList<>();
        if (models == null) {
            throw new InvalidFieldsException(List.of(new FieldError("models", "is required (an ordered list of model names)")));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String m = models.get(i);
            if (m == null || m.isBlank() || m.length() > 200) {
                errors.add(new FieldError("models[" + i + "]", "must be a model name of 1-200 characters"));
            } else if (ConfigSnapshot.AUTO_MODEL.equals(m)) {
                errors.add(new FieldError("models[" + i + "]", "cannot be 'auto' itself"));
            } else if (!seen.add(m)) {
                errors.add(new FieldError("models[" + i + "]", "is listed twice"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        repository.replaceAll(models);
        configuration.changed();
        return List.copyOf(models);
    }
}
