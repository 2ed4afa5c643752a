package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Parses admin request bodies into a JSON tree; malformed JSON becomes a field error on {@code body}. */
@Singleton
final class AdminJson {
    private final JsonMapper mapper;

    AdminJson(JsonMapper mapper) {
        this.mapper = mapper;
    }

    JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidFieldsException(List.of(new FieldError("body", "is required (a JSON object)")));
        }
        try {
            return mapper.readValue(body.getBytes(StandardCharsets.UTF_8), JsonNode.class);
        } catch (IOException e) {
            throw new InvalidFieldsException(List.of(new FieldError("body", "is not valid JSON")));
        }
    }
}
