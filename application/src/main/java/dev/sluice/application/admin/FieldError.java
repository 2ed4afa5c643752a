package dev.sluice.application.admin;

/** One invalid field of an admin command: its JSON path (for example {@code models[0].name}) and why. */
public record FieldError(String field, String message) {
}
