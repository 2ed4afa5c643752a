package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.BackendDto;
import dev.sluice.adminweb.api.ModelDto;
import io.micronaut.core.annotation.Nullable;
import java.util.List;
import java.util.Objects;

/** One table row of the backends page, formatted for display. */
public record BackendRow(
        String name,
        String baseUrl,
        List<ModelRow> models,
        String priority,
        String weight,
        String timeout,
        boolean enabled,
        @Nullable String apiKey) {

    private static final String NONE = "—";

    /** A public model name and, when it differs, the upstream name it maps to. */
    public record ModelRow(String name, @Nullable String upstream) {

        /** Whether the upstream name differs from the public one. */
        public boolean mapped() {
            return upstream != null && !upstream.isBlank() && !upstream.equals(name);
        }
    }

    static BackendRow of(BackendDto b) {
        List<ModelRow> models = b.models() == null ? List.of() : b.models().stream()
                .filter(Objects::nonNull)
                .map(BackendRow::model)
                .toList();
        return new BackendRow(
                text(b.name()),
                text(b.baseUrl()),
                models,
                number(b.priority()),
                number(b.weight()),
                timeout(b.timeoutMs()),
                Boolean.TRUE.equals(b.enabled()),
                b.apiKey() == null || b.apiKey().isBlank() ? null : b.apiKey());
    }

    static String timeout(@Nullable Long ms) {
        if (ms == null) {
            return NONE;
        }
        if (ms >= 1000 && ms % 1000 == 0) {
            return (ms / 1000) + " s";
        }
        if (ms >= 1000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return ms + " ms";
    }

    private static String number(@Nullable Integer n) {
        return n == null ? NONE : n.toString();
    }

    private static String text(@Nullable String s) {
        return s == null || s.isBlank() ? NONE : s;
    }

    private static ModelRow model(ModelDto m) {
        return new ModelRow(text(m.name()), m.upstreamModel());
    }
}
