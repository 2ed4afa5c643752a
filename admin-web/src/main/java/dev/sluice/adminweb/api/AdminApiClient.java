package dev.sluice.adminweb.api;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.client.annotation.Client;

/**
 * The console's only way into the gateway: the REST admin API, over HTTP.
 *
 * <p>The base URL comes from {@link AdminApiLocation}: {@code sluice.console.api-url}, by default
 * the gateway's own HTTP server on the loopback interface, so the console works inside the
 * gateway with no configuration and can run apart by pointing the property elsewhere.
 *
 * <p>Error statuses surface as {@link io.micronaut.http.client.exceptions.HttpClientResponseException},
 * unreachable servers as other {@link io.micronaut.http.client.exceptions.HttpClientException}s.
 */
@Client(id = AdminApiClient.CLIENT_ID)
@Header(name = HttpHeaders.ACCEPT, value = MediaType.APPLICATION_JSON)
public interface AdminApiClient {

    /** The service id the client resolves through {@link AdminApiLocation}. */
    String CLIENT_ID = "sluice-admin-api";

    /**
     * Lists all backends.
     *
     * @param authorization the full header value, {@code Bearer <admin token>}
     */
    @Get("/admin/api/v1/backends")
    BackendList backends(@Header(HttpHeaders.AUTHORIZATION) String authorization);
}
