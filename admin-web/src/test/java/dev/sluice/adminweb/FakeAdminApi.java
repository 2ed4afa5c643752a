package dev.sluice.adminweb;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import jakarta.inject.Singleton;

/**
 * A stand-in for the gateway's REST admin API, in test sources only: it serves two backends at
 * {@code GET /admin/api/v1/backends}, empty answers shaped like the real ones for every other
 * read the pages make, from the same embedded server the console runs in, and checks the bearer
 * token like the real one. {@link State#mode} makes every answer fail the same way.
 */
@Controller("/admin/api/v1")
@Requires(property = "fake-admin-api.enabled", value = "true")
public class FakeAdminApi {

    /** What the fake answers next. */
    public enum Mode { TWO_BACKENDS, EMPTY, FAIL_500, REJECT_TOKEN, NOT_JSON }

    /** Shared switch, reset by each test. */
    @Singleton
    public static class State {
        public volatile Mode mode = Mode.TWO_BACKENDS;
        public volatile int calls;
        public volatile String lastAuthorization;
    }

    static final String TWO_BACKENDS = """
            {"data":[
              {"id":"7f1c2b1e-2d7a-4c7e-9c55-0c1f3a1b2c3d","name":"openai-main",
               "baseUrl":"https://api.openai.com/v1","apiKey":"sk-...abcd","priority":1,"weight":10,
               "timeoutMs":60000,"enabled":true,"headers":{"X-Org":"a"},
               "models":[{"name":"gpt-4o","upstreamModel":"gpt-4o-2024-08-06"},
                         {"name":"gpt-4o-mini","upstreamModel":"gpt-4o-mini"}],
               "createdAt":"2025-01-01T00:00:00Z","somethingNew":{"nested":[1,2,3]}},
              {"id":"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d","name":"local-vllm",
               "baseUrl":"http://10.0.0.5:8000/v1","apiKey":null,"priority":2,"weight":1,
               "timeoutMs":1500,"enabled":false,"headers":{},
               "models":[{"name":"llama-3.1-8b","upstreamModel":"meta-llama/Llama-3.1-8B-Instruct"}]}
            ],"page":{"total":2}}
            """;

    static final String EMPTY = "{\"data\":[]}";
    /** A viewer's token the fake knows, like a named token of {@code sluice.admin.tokens}. */
    public static final String VIEWER_TOKEN = "viewer-token-0123456789";

    private final State state;
    private final String token;

    public FakeAdminApi(State state, @io.micronaut.context.annotation.Value("${sluice.admin.token}") String token) {
        this.state = state;
        this.token = token;
    }

    static final String EMPTY_USAGE = "{\"bucket\":\"hour\",\"series\":[],\"totals\":{\"requests\":0,\"errors\":0,"
            + "\"promptTokens\":0,\"completionTokens\":0,\"totalTokens\":0}}";

    @Get(value = "/backends", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> backends(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return answer(authorization, TWO_BACKENDS);
    }

    @Get(value = "/usage", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> usage(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return answer(authorization, EMPTY_USAGE);
    }

    @Get(value = "/usage/latency", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> latency(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return answer(authorization, "{\"series\":[],\"totals\":{\"requests\":0}}");
    }

    @Get(value = "/queue", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> queue(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return answer(authorization, "{\"waiting\":0,\"maxSize\":1000,\"models\":[]}");
    }

    @Get(uris = {"/usage/backends", "/apps", "/quotas", "/requests"}, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> lists(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return answer(authorization, EMPTY);
    }

    private HttpResponse<String> answer(@Nullable String authorization, String twoBackendsAnswer) {
        state.calls++;
        state.lastAuthorization = authorization;
        boolean tokenOk = ("Bearer " + token).equals(authorization) && state.mode != Mode.REJECT_TOKEN;
        if (!tokenOk) {
            return HttpResponse.<String>status(HttpStatus.UNAUTHORIZED)
                    .body(error("invalid admin token", "authentication_error", "invalid_admin_token"));
        }
        return switch (state.mode) {
            case TWO_BACKENDS -> HttpResponse.ok(twoBackendsAnswer);
            case EMPTY -> HttpResponse.ok(EMPTY);
            case FAIL_500 -> HttpResponse.<String>serverError()
                    .body(error("database unavailable", "server_error", "internal_error"));
            case NOT_JSON -> HttpResponse.ok("<html>not json</html>");
            case REJECT_TOKEN -> throw new IllegalStateException();
        };
    }

    private static String error(String message, String type, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"code\":\"" + code
                + "\",\"param\":null}}";
    }

    /** {@code GET /whoami}: the main token is the admin, {@link #VIEWER_TOKEN} a viewer named ops, anything else 401. */
    @Get("/whoami")
    HttpResponse<String> whoAmI(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        if (("Bearer " + token).equals(authorization)) {
            return HttpResponse.ok("{\"name\":\"admin-token\",\"role\":\"admin\"}").contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        if (("Bearer " + VIEWER_TOKEN).equals(authorization)) {
            return HttpResponse.ok("{\"name\":\"ops\",\"role\":\"viewer\"}").contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        return HttpResponse.<String>status(HttpStatus.UNAUTHORIZED)
                .body("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"code\":\"invalid_admin_token\"}}")
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
