package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.IssuedKey;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The JSON shapes of the admin API. The backend key is only ever shown masked. */
final class AdminViews {
    private AdminViews() {
    }

    @Serdeable
    record ModelView(String name, String upstreamModel) {
        static ModelView of(ModelMapping m) {
            return new ModelView(m.name(), m.upstreamModel());
        }
    }

    @Serdeable
    record BackendView(UUID id, String name, String baseUrl, String apiKey, int priority, int weight, int timeoutMs,
                       boolean enabled, Map<String, String> headers, List<ModelView> models) {
        static BackendView of(Backend b) {
            return new BackendView(b.id(), b.name(), b.baseUrl(), b.apiKey().map(k -> k.masked()).orElse(null),
                    b.priority(), b.weight(), b.timeoutMs(), b.enabled(), b.headers(),
                    b.models().stream().map(ModelView::of).toList());
        }
    }

    @Serdeable
    record BackendList(List<BackendView> data) {
    }

    @Serdeable
    record AppView(UUID id, String name) {
        static AppView of(App a) {
            return new AppView(a.id(), a.name());
        }
    }

    @Serdeable
    record AppList(List<AppView> data) {
    }

    @Serdeable
    record KeyView(UUID id, String prefix, Instant createdAt, Instant revokedAt, boolean revoked) {
        static KeyView of(ApiKey k) {
            return new KeyView(k.id(), k.prefix(), k.createdAt(), k.revokedAt().orElse(null), k.revoked());
        }
    }

    @Serdeable
    record KeyList(List<KeyView> data) {
    }

    @Serdeable
    record IssuedKeyView(UUID id, String key, String prefix) {
        static IssuedKeyView of(IssuedKey k) {
            return new IssuedKeyView(k.id(), k.key(), k.prefix());
        }
    }

    @Serdeable
    record ErrorBody(String message, String type, String code, String param) {
    }

    @Serdeable
    record FieldErrorView(String field, String message) {
        static FieldErrorView of(FieldError e) {
            return new FieldErrorView(e.field(), e.message());
        }
    }

    /** {@code {"error":{...},"errors":[{"field","message"}]}}: the OpenAI shape plus every bad field. */
    @Serdeable
    record ErrorResponse(ErrorBody error, List<FieldErrorView> errors) {
        static ErrorResponse of(int status, String code, String message, String param) {
            String type = status == 401 ? "authentication_error" : status >= 500 ? "api_error" : "invalid_request_error";
            return new ErrorResponse(new ErrorBody(message, type, code, param), null);
        }

        static ErrorResponse invalid(List<FieldError> errors) {
            StringBuilder message = new StringBuilder("Invalid fields: ");
            for (int i = 0; i < errors.size(); i++) {
                if (i > 0) {
                    message.append("; ");
                }
                message.append(errors.get(i).field()).append(' ').append(errors.get(i).message());
            }
            return new ErrorResponse(new ErrorBody(message.toString(), "invalid_request_error", "validation_failed",
                    errors.getFirst().field()), errors.stream().map(FieldErrorView::of).toList());
        }
    }
}
