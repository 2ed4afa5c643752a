package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.BackendCommand;
import dev.sluice.application.admin.BackendOptionsCommand;
import dev.sluice.application.admin.QuotaCommand;
import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import dev.sluice.domain.backend.ModelMapping;
import io.micronaut.json.tree.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a backend from admin JSON, collecting every type error by field name before the
 * command checks the values, so an operator sees all mistakes at once.
 */
final class BackendJson {
    private static final Set<String> KNOWN = Set.of("name", "baseUrl", "apiKey", "priority", "weight", "timeoutMs",
            "enabled", "headers", "models", "id", "retry", "streamSupport", "nonStreamSupport", "maxContextTokens",
            "healthCheck", "health", "limits", "maxOutputTokens", "quota");
    private static final Set<String> LIMIT_FIELDS = Set.of("rpm", "tpm", "rpd", "tpr", "maxConcurrent");
    private static final Set<String> HEALTH_CHECK_FIELDS = Set.of("enabled", "path", "intervalMs", "timeoutMs");

    private BackendJson() {
    }

    static BackendCommand read(JsonNode root) {
        List<FieldError> errors = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidFieldsException(List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Map.Entry<String, JsonNode> entry : root.entries()) {
            if (!KNOWN.contains(entry.getKey())) {
                errors.add(new FieldError(entry.getKey(), "is not a backend field"));
            }
        }
        String name = string(root, "name", errors);
        String baseUrl = string(root, "baseUrl", errors);
        JsonNode apiKeyNode = root.get("apiKey");
        Optional<String> apiKey = Optional.empty();
        if (apiKeyNode != null && !apiKeyNode.isNull()) {
            if (apiKeyNode.isString()) {
                apiKey = Optional.of(apiKeyNode.getStringValue());
            } else {
                errors.add(new FieldError("apiKey", "must be a string"));
            }
        }
        Integer priority = integer(root, "priority", errors);
        Integer weight = integer(root, "weight", errors);
        Integer timeoutMs = integer(root, "timeoutMs", errors);
        Boolean enabled = bool(root, "enabled", errors);
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode headersNode = root.get("headers");
        if (headersNode != null && !headersNode.isNull()) {
            if (!headersNode.isObject()) {
                errors.add(new FieldError("headers", "must be an object of header names to string values"));
            } else {
                for (Map.Entry<String, JsonNode> h : headersNode.entries()) {
                    if (h.getValue().isString()) {
                        headers.put(h.getKey(), h.getValue().getStringValue());
                    } else {
                        errors.add(new FieldError("headers." + h.getKey(), "must be a string"));
                    }
                }
            }
        }
        List<ModelMapping> models = null;
        JsonNode modelsNode = root.get("models");
        if (modelsNode != null && !modelsNode.isNull()) {
            if (!modelsNode.isArray()) {
                errors.add(new FieldError("models", "must be an array of {\"name\",\"upstreamModel\"}"));
            } else {
                models = new ArrayList<>();
                for (int i = 0; i < modelsNode.size(); i++) {
                    JsonNode m = modelsNode.get(i);
                    String path = "models[" + i + "]";
                    if (m.isString()) {
                        models.add(new ModelMapping(m.getStringValue(), null));
                    } else if (m.isObject()) {
                        String modelName = string(m, "name", errors, path + ".name");
                        String upstream = string(m, "upstreamModel", errors, path + ".upstreamModel");
                        models.add(new ModelMapping(modelName == null ? "" : modelName, upstream));
                    } else {
                        errors.add(new FieldError(path, "must be an object with name and upstreamModel"));
                    }
                }
            }
        }
        Integer retry = integer(root, "retry", errors);
        Boolean streamSupport = bool(root, "streamSupport", errors);
        Boolean nonStreamSupport = bool(root, "nonStreamSupport", errors);
        Integer maxContextTokens = integer(root, "maxContextTokens", errors);
        Boolean checkEnabled = null;
        String checkPath = null;
        Integer checkInterval = null;
        Integer checkTimeout = null;
        JsonNode check = root.get("healthCheck");
        if (check != null && !check.isNull()) {
            if (!check.isObject()) {
                errors.add(new FieldError("healthCheck", "must be an object {enabled, path, intervalMs, timeoutMs}"));
            } else {
                for (Map.Entry<String, JsonNode> entry : check.entries()) {
                    if (!HEALTH_CHECK_FIELDS.contains(entry.getKey())) {
                        errors.add(new FieldError("healthCheck." + entry.getKey(), "is not a health check field"));
                    }
                }
                checkEnabled = bool(check, "enabled", errors, "healthCheck.enabled");
                checkPath = string(check, "path", errors, "healthCheck.path");
                checkInterval = integer(check, "intervalMs", errors, "healthCheck.intervalMs");
                checkTimeout = integer(check, "timeoutMs", errors, "healthCheck.timeoutMs");
            }
        }
        Long[] limits = new Long[5];
        JsonNode limitsNode = root.get("limits");
        if (limitsNode != null && !limitsNode.isNull()) {
            if (!limitsNode.isObject()) {
                errors.add(new FieldError("limits", "must be an object {rpm, tpm, rpd, tpr, maxConcurrent}"));
            } else {
                for (Map.Entry<String, JsonNode> entry : limitsNode.entries()) {
                    if (!LIMIT_FIELDS.contains(entry.getKey())) {
                        errors.add(new FieldError("limits." + entry.getKey(), "is not a limit (rpm, tpm, rpd, tpr, maxConcurrent)"));
                    }
                }
                String[] names = {"rpm", "tpm", "rpd", "tpr", "maxConcurrent"};
                for (int i = 0; i < names.length; i++) {
                    limits[i] = longValue(limitsNode, names[i], errors, "limits." + names[i]);
                }
            }
        }
        Long maxOutputTokens = longValue(root, "maxOutputTokens", errors, "maxOutputTokens");
        QuotaCommand quota = quota(root.get("quota"), "quota", errors);
        BackendOptionsCommand options = new BackendOptionsCommand(retry, streamSupport, nonStreamSupport, maxContextTokens,
                checkEnabled, checkPath, checkInterval, checkTimeout, limits[0], limits[1], limits[2], limits[3], limits[4],
                maxOutputTokens, quota);
        try {
            BackendCommand command = new BackendCommand(name, baseUrl, apiKey, priority, weight, timeoutMs, enabled, headers,
                    models, options);
            if (!errors.isEmpty()) {
                throw new InvalidFieldsException(errors);
            }
            return command;
        } catch (InvalidFieldsException valueErrors) {
            // report type errors and value errors together, once per field
            Set<String> named = new java.util.HashSet<>();
            errors.forEach(e -> named.add(e.field()));
            for (FieldError e : valueErrors.errors()) {
                if (named.add(e.field())) {
                    errors.add(e);
                }
            }
            throw new InvalidFieldsException(errors);
        }
    }

    private static String string(JsonNode node, String field, List<FieldError> errors) {
        return string(node, field, errors, field);
    }

    static String string(JsonNode node, String field, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            errors.add(new FieldError(path, "must be a string"));
            return null;
        }
        return value.getStringValue();
    }

    private static Integer integer(JsonNode node, String field, List<FieldError> errors) {
        return integer(node, field, errors, field);
    }

    private static Integer integer(JsonNode node, String field, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            errors.add(new FieldError(path, "must be an integer"));
            return null;
        }
        Number n = value.getNumberValue();
        double d = n.doubleValue();
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            errors.add(new FieldError(path, "must be an integer"));
            return null;
        }
        return (int) d;
    }

    private static final Set<String> QUOTA_FIELDS = Set.of("requestsPerPeriod", "tokensPerPeriod", "periodCron", "timeZone");

    /** Reads {"requestsPerPeriod","tokensPerPeriod","periodCron","timeZone"}; null when absent. */
    static QuotaCommand quota(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(path, "must be an object {requestsPerPeriod, tokensPerPeriod, periodCron, timeZone}"));
            return null;
        }
        for (Map.Entry<String, JsonNode> entry : node.entries()) {
            if (!QUOTA_FIELDS.contains(entry.getKey())) {
                errors.add(new FieldError(path + "." + entry.getKey(), "is not a quota field"));
            }
        }
        return new QuotaCommand(longValue(node, "requestsPerPeriod", errors, path + ".requestsPerPeriod"),
                longValue(node, "tokensPerPeriod", errors, path + ".tokensPerPeriod"),
                string(node, "periodCron", errors, path + ".periodCron"),
                string(node, "timeZone", errors, path + ".timeZone"));
    }

    static Long longValue(JsonNode node, String field, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.getNumberValue().doubleValue() != Math.rint(value.getNumberValue().doubleValue())) {
            errors.add(new FieldError(path, "must be an integer"));
            return null;
        }
        return value.getNumberValue().longValue();
    }

    private static Boolean bool(JsonNode node, String field, List<FieldError> errors) {
        return bool(node, field, errors, field);
    }

    private static Boolean bool(JsonNode node, String field, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            errors.add(new FieldError(path, "must be true or false"));
            return null;
        }
        return value.getBooleanValue();
    }
}
