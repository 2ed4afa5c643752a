package dev.sluice.adapters.edge.admin;

import dev.sluice.application.port.AuditLog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * Writes one audit entry per admin change, from the controllers once the change is made. Before and
 * after are the API's own views of the target (backend API keys masked; an issued key appears by id
 * and prefix only). The actor is the name of the admin token used ({@link AdminTokens}); a client
 * holding the main token may name itself with {@value #ACTOR_HEADER} (the console does, with the
 * browser's address in {@value #CLIENT_ADDRESS_HEADER}). A failure to write
 * is logged at ERROR and does not undo the change, which is already committed.
 */
@Singleton
final class AdminAudit {
    static final String ACTOR_HEADER = "X-Sluice-Actor";
    static final String CLIENT_ADDRESS_HEADER = "X-Sluice-Client-Address";
    private static final Logger LOG = LoggerFactory.getLogger(AdminAudit.class);

    private final AuditLog log;
    private final JsonMapper mapper;
    private final Clock clock;

    AdminAudit(AuditLog log, JsonMapper mapper, Clock clock) {
        this.log = log;
        this.mapper = mapper;
        this.clock = clock;
    }

    void record(HttpRequest<?> request, String action, String targetType, String targetId, @Nullable String targetName,
                @Nullable Object before, @Nullable Object after) {
        String token = request.getAttribute(AdminTokenFilter.CALLER, AdminTokens.Caller.class)
                .map(AdminTokens.Caller::name).orElse(AdminTokens.MAIN_NAME);
        // the console calls with the main token and names itself; a named token is the actor it names
        String actor = header(request, ACTOR_HEADER).filter(a -> token.equals(AdminTokens.MAIN_NAME)).orElse(token);
        String address = header(request, CLIENT_ADDRESS_HEADER).filter(a -> token.equals(AdminTokens.MAIN_NAME))
                .orElseGet(() -> request.getRemoteAddress().getAddress().getHostAddress());
        try {
            log.record(new AuditLog.Entry(clock.instant(), actor, address, action, targetType, targetId,
                    Optional.ofNullable(targetName), json(before), json(after)));
        } catch (RuntimeException e) {
            LOG.error("Audit entry not written for {} {} {} by {}: {}", action, targetType, targetId, actor, e.toString());
        }
    }

    private Optional<String> json(@Nullable Object view) {
        if (view == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(mapper.writeValueAsBytes(view), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("audit view not serialisable", e);
        }
    }

    /** A short printable header value, or empty. */
    private static Optional<String> header(HttpRequest<?> request, String name) {
        return request.getHeaders().findFirst(name).map(String::strip)
                .filter(v -> !v.isEmpty() && v.length() <= 100 && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
    }
}
