package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApiClient;
import dev.sluice.adminweb.api.AdminApiLocation;
import dev.sluice.adminweb.api.ApiError;
import dev.sluice.adminweb.api.BackendList;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.views.ModelAndView;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends page. The admin API call blocks, so the controller runs on the blocking executor
 * (virtual threads on JDK 21+), never on the event loop.
 */
@Controller(ConsolePaths.ROOT)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BackendsController {

    private static final Logger LOG = LoggerFactory.getLogger(BackendsController.class);

    private final AdminApiClient api;
    private final ConsoleSession session;
    private final String adminToken;
    private final AdminApiLocation location;

    public BackendsController(AdminApiClient api, ConsoleSession session, AdminApiLocation location,
                              @Value("${sluice.admin.token:}") String adminToken) {
        this.api = api;
        this.session = session;
        this.location = location;
        this.adminToken = adminToken;
    }

    /** {@code /console} and {@code /console/backends}: the table of backends. */
    @Get(uris = {"/", "/backends"}, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> backends(HttpRequest<?> request) {
        if (!session.valid(LoginController.sessionCookie(request), Instant.now())) {
            return HttpResponse.seeOther(ConsolePaths.LOGIN_URI);
        }
        String apiUrl = location.describe();
        Map<String, Object> model = new HashMap<>();
        model.put("authenticated", true);
        model.put("nav", "backends");
        model.put("apiUrl", apiUrl);
        String error = null;
        List<BackendRow> rows = List.of();
        try {
            BackendList list = api.backends("Bearer " + adminToken);
            if (list == null) {
                error = "The admin API at " + apiUrl + " has no backends endpoint (404).";
            } else {
                rows = list.backends().stream().map(BackendRow::of).toList();
            }
        } catch (HttpClientResponseException e) {
            int code = e.getStatus().getCode();
            if (code < 300) {
                // a success status whose body did not decode as the backend list
                error = "The admin API's answer could not be read.";
                LOG.warn("Console: admin API answered {} with a body that is not a backend list: {}", code,
                        e.getMessage());
            } else {
                error = "The admin API answered " + code + apiMessage(e).map(m -> ": " + m).orElse(".");
                LOG.warn("Console: admin API answered {} for backends", code);
            }
        } catch (HttpClientException e) {
            error = "Could not reach the admin API at " + apiUrl + ".";
            LOG.warn("Console: admin API at {} unreachable: {}", apiUrl, e.getMessage());
        } catch (RuntimeException e) {
            error = "The admin API's answer could not be read.";
            LOG.warn("Console: could not read the admin API's backends", e);
        }
        model.put("backends", rows);
        model.put("enabledCount", rows.stream().filter(BackendRow::enabled).count());
        model.put("error", error);
        ModelAndView<Map<String, Object>> view = new ModelAndView<>("backends", model);
        return error == null ? HttpResponse.ok(view) : HttpResponse.status(HttpStatus.BAD_GATEWAY).body(view);
    }

    private static Optional<String> apiMessage(HttpClientResponseException e) {
        try {
            return e.getResponse().getBody(ApiError.class)
                    .map(ApiError::error)
                    .map(ApiError.Detail::message)
                    .filter(m -> !m.isBlank())
                    .map(BackendsController::shorten);
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    private static String shorten(@Nullable String s) {
        return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
