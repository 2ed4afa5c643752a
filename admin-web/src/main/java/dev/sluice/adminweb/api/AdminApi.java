package dev.sluice.adminweb.api;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.BlockingHttpClient;
import io.micronaut.http.context.ServerRequestContext;
import io.micronaut.http.client.StreamingHttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's only way into the gateway: the REST admin API, over HTTP, with the admin token the
 * console was configured with. The token stays on the server: it is never put in a page, a URL or
 * a log line.
 *
 * <p>The base URL comes from {@link AdminApiLocation}: {@code sluice.console.api-url}, by default
 * the gateway's own HTTP server on the loopback interface, so the console works inside the gateway
 * with no configuration and can run apart by pointing the property elsewhere.
 *
 * <p>Calls block: callers run on the blocking executor (virtual threads), never the event loop.
 * An answer with an error status becomes an {@link AdminApiException} with the API's message and
 * field errors; a server that cannot be reached becomes an {@link AdminApiUnreachableException}.
 */
@Singleton
public class AdminApi {

    /** The service id the client resolves through {@link AdminApiLocation}. */
    public static final String CLIENT_ID = "sluice-admin-api";
    /** Where every admin API path starts. */
    public static final String PREFIX = "/admin/api/v1";

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final Argument<ApiError> ERROR = Argument.of(ApiError.class);
    private static final String ACTOR_HEADER = "X-Sluice-Actor";
    /** The request attribute the console's sign-in check leaves: who the audit log should name. */
    public static final String ACTOR_ATTRIBUTE = "sluice.console.actor";
    private static final String CLIENT_ADDRESS_HEADER = "X-Sluice-Client-Address";

    private final StreamingHttpClient client;
    private final AdminApiLocation location;
    private final String authorization;

    public AdminApi(@Client(id = CLIENT_ID) StreamingHttpClient client, AdminApiLocation location,
                    @Value("${sluice.admin.token:}") String adminToken) {
        this.client = client;
        this.location = location;
        this.authorization = "Bearer " + adminToken;
    }

    /** {@code GET PREFIX + path} (path may carry a query string), decoded as {@code type}. */
    public <T> T get(String path, Class<T> type) {
        return retrieve(HttpRequest.GET(PREFIX + path), Argument.of(type));
    }

    /** {@code GET} decoded as a generic JSON tree of maps and lists, for pass-through to the browser. */
    public Map<String, Object> getJson(String path) {
        return retrieve(HttpRequest.GET(PREFIX + path), Argument.mapOf(String.class, Object.class));
    }

    /** {@code POST} with a JSON body (or none). */
    public <T> T post(String path, @Nullable Object body, Class<T> type) {
        return retrieve(HttpRequest.POST(PREFIX + path, body == null ? "" : body), Argument.of(type));
    }

    /** {@code PUT} with a JSON body. */
    public <T> T put(String path, Object body, Class<T> type) {
        return retrieve(HttpRequest.PUT(PREFIX + path, body), Argument.of(type));
    }

    /** {@code DELETE}; the answer's body is ignored (204 No Content carries none, so it is not decoded). */
    public void delete(String path) {
        MutableHttpRequest<?> request = HttpRequest.create(HttpMethod.DELETE, PREFIX + path);
        call(request, http -> http.exchange(request, Argument.of(String.class), ERROR));
    }

    /**
     * Who the admin API says {@code token} belongs to ({@code GET /whoami} with that token), or empty
     * when it is not a token of this gateway: a named admin or viewer token signing in to the console.
     */
    public Optional<Map<String, Object>> whoAmI(String token) {
        MutableHttpRequest<?> request = HttpRequest.GET(PREFIX + "/whoami")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).accept(MediaType.APPLICATION_JSON_TYPE);
        try {
            return Optional.of(client.toBlocking().retrieve(request, Argument.mapOf(String.class, Object.class), ERROR));
        } catch (HttpClientResponseException e) {
            if (e.getStatus().getCode() == 401) {
                return Optional.empty();
            }
            throw new AdminApiException(e.getStatus().getCode(), "The admin API answered " + e.getStatus().getCode() + ".", List.of());
        } catch (HttpClientException e) {
            throw new AdminApiUnreachableException(location.describe(), e);
        }
    }

    /** The raw body of a {@code GET}, as it arrives (the CSV export), never held whole. */
    public Publisher<ByteBuffer<?>> stream(String path) {
        MutableHttpRequest<?> request = HttpRequest.GET(PREFIX + path).header(HttpHeaders.AUTHORIZATION, authorization);
        return client.dataStream(request);
    }

    /** For messages: the API's base URL or a hint that it is missing. */
    public String describe() {
        return location.describe();
    }

    private <T> T retrieve(MutableHttpRequest<?> request, Argument<T> type) {
        return call(request, http -> http.retrieve(request, type, ERROR));
    }

    /**
     * Sends {@code request} with the token and JSON headers through {@code send}, and turns an error
     * status or an unreachable server into the console's exceptions.
     */
    private <T> T call(MutableHttpRequest<?> request, Function<BlockingHttpClient, T> send) {
        request.header(HttpHeaders.AUTHORIZATION, authorization).accept(MediaType.APPLICATION_JSON_TYPE);
        // the audit log names the console and the browser's address rather than this loopback call
        var browser = ServerRequestContext.currentRequest();
        request.header(ACTOR_HEADER, browser.flatMap(b -> b.getAttribute(ACTOR_ATTRIBUTE, String.class)).orElse("console"));
        browser.map(b -> b.getRemoteAddress().getAddress().getHostAddress())
                .ifPresent(address -> request.header(CLIENT_ADDRESS_HEADER, address));
        if (request.getBody().isPresent()) {
            request.contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        try {
            return send.apply(client.toBlocking());
        } catch (HttpClientResponseException e) {
            int status = e.getStatus().getCode();
            if (status < 300) {
                LOG.warn("Console: the admin API answered {} {} with a body that could not be read: {}", status,
                        request.getPath(), e.getMessage());
                throw new AdminApiException(status, "The admin API's answer could not be read.", List.of());
            }
            Optional<ApiError> error = body(e);
            String message = error.map(ApiError::error).map(ApiError.Detail::message).filter(m -> !m.isBlank())
                    .map(AdminApi::shorten).orElse("The admin API answered " + status + ".");
            List<ApiError.FieldProblem> fields = error.map(ApiError::fieldErrors).orElse(List.of());
            if (status >= 500 || status == 401) {
                LOG.warn("Console: the admin API answered {} for {} {}", status, request.getMethodName(), request.getPath());
            }
            throw new AdminApiException(status, message, fields);
        } catch (HttpClientException e) {
            LOG.warn("Console: the admin API at {} is unreachable: {}", location.describe(), e.getMessage());
            throw new AdminApiUnreachableException(location.describe(), e);
        }
    }

    private static Optional<ApiError> body(HttpClientResponseException e) {
        try {
            return e.getResponse().getBody(ApiError.class);
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    private static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
