package dev.sluice.application.admin;

import java.util.List;

/** An admin command with invalid fields; every bad field is named, not just the first. */
public final class InvalidFieldsException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidFieldsException(List<FieldError> errors) {
        super(describe(errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String describe(List<FieldError> errors) {
        StringBuilder b = new StringBuilder("invalid fields: ");
        for (int i = 0; i < errors.size(); i++) {
            if (i > 0) {
                b.append("; ");
            }
            b.append(errors.get(i).field()).append(' ').append(errors.get(i).message());
        }
        return b.toString();
    }
}
