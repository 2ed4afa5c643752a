package dev.sluice.adapters.edge.admin;

import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.Secret;
import io.micronaut.json.JsonMapper;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration as one document, in the shape the admin API takes it (each backend as
 * {@code POST /backends} reads it, each app with its limits), in a stable order: backends and apps
 * by name, fields in the API's order, empty fields left out, nothing that changes between two
 * exports of the same state (no ids, health, timestamps). So two exports of the same state are
 * byte-identical and a diff of two files shows only what changed. Backend API keys are left out,
 * or included in plain text when explicitly asked; gateway keys are never exported (only their
 * hashes are stored).
 */
final class ConfigExport {
    /** The document's format version. */
    static final int VERSION = 1;
    private static final Set<String> RUNTIME_FIELDS = Set.of("id", "health", "apiKey");

    private final JsonMapper mapper;

    ConfigExport(JsonMapper mapper) {
        this.mapper = mapper;
    }

    Map<String, Object> document(List<Backend> backends, List<App> apps, List<String> autoModels, boolean withSecrets) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", VERSION);
        List<Object> backendList = new ArrayList<>();
        for (Backend b : backends.stream().sorted(Comparator.comparing(Backend::name)).toList()) {
            Map<String, Object> fields = settings(AdminViews.BackendView.settings(b));
            if (withSecrets) {
                b.apiKey().map(Secret::reveal).ifPresent(key -> fields.put("apiKey", key));
            }
            backendList.add(fields);
        }
        doc.put("backends", backendList);
        List<Object> appList = new ArrayList<>();
        for (App a : apps.stream().sorted(Comparator.comparing(App::name)).toList()) {
            appList.add(settings(AdminViews.AppView.of(a)));
        }
        doc.put("apps", appList);
        doc.put("models", Map.of("auto", List.copyOf(autoModels)));
        return doc;
    }

    String json(Map<String, Object> document) {
        try {
            return new String(mapper.writeValueAsBytes(document), StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("configuration not serialisable", e);
        }
    }

    static String yaml(Map<String, Object> document) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setSplitLines(false);
        return "# Sluice configuration (GET /admin/api/v1/config)\n" + new Yaml(options).dump(document);
    }

    /** The view as a tree, without the fields that are not configuration and without empty values. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> settings(Object view) {
        try {
            Map<String, Object> tree = mapper.readValue(mapper.writeValueAsBytes(view), Map.class);
            RUNTIME_FIELDS.forEach(tree::remove);
            return (Map<String, Object>) prune(tree);
        } catch (IOException e) {
            throw new IllegalStateException("configuration not serialisable", e);
        }
    }

    private static Object prune(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object kept = prune(v);
                if (kept != null && !(kept instanceof Map<?, ?> m && m.isEmpty())) {
                    out.put(String.valueOf(k), kept);
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigExport::prune).toList();
        }
        return value;
    }
}
