package dev.sluice.adminweb.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API answered with an error status: its status, readable message and invalid fields. */
public class AdminApiException extends RuntimeException {

    private final int status;
    private final List<ApiError.FieldProblem> fields;

    public AdminApiException(int status, String message, List<ApiError.FieldProblem> fields) {
        super(message, null, false, false);
        this.status = status;
        this.fields = List.copyOf(fields);
    }

    public int status() {
        return status;
    }

    /** Field name → message, in the API's order, for showing each message next to its field. */
    public Map<String, String> fieldMessages() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ApiError.FieldProblem f : fields) {
            if (f.field() != null) {
                out.putIfAbsent(f.field(), f.message() == null ? "is invalid" : f.message());
            }
        }
        return out;
    }

    public boolean notFound() {
        return status == 404;
    }
}
