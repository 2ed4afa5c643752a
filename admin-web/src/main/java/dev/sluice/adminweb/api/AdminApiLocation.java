package dev.sluice.adminweb.api;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.discovery.ServiceInstance;
import io.micronaut.discovery.ServiceInstanceList;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link AdminApi} sends its requests: {@code sluice.console.api-url} when set,
 * otherwise the HTTP server the console runs in, on the loopback interface
 * ({@code http://127.0.0.1:<its port>}).
 *
 * <p>Computed per request rather than by a property placeholder because Micronaut placeholders
 * cannot nest ({@code ${a:${b}}}) and because the server's real port is only known once it is
 * bound (a random port in tests). The client's load balancer asks this list on every call.
 */
@Singleton
@Named(AdminApi.CLIENT_ID)
public class AdminApiLocation implements ServiceInstanceList {

    private final @Nullable URI configured;
    private final BeanProvider<EmbeddedServer> server;

    public AdminApiLocation(@Value("${sluice.console.api-url:}") @Nullable String apiUrl,
                            BeanProvider<EmbeddedServer> server) {
        this.configured = apiUrl == null || apiUrl.isBlank() ? null : URI.create(stripSlash(apiUrl.trim()));
        this.server = server;
    }

    @Override
    public String getID() {
        return AdminApi.CLIENT_ID;
    }

    @Override
    public List<ServiceInstance> getInstances() {
        return baseUri().map(uri -> List.of(ServiceInstance.of(AdminApi.CLIENT_ID, uri))).orElse(List.of());
    }

    /** The API's base URL, or empty when it is not configured and no server runs here. */
    public Optional<URI> baseUri() {
        if (configured != null) {
            return Optional.of(configured);
        }
        return server.find(null)
                .filter(EmbeddedServer::isRunning)
                .map(s -> URI.create(s.getScheme() + "://127.0.0.1:" + s.getPort()));
    }

    /** For messages: the base URL or a hint that it is missing. */
    public String describe() {
        return baseUri().map(URI::toString).orElse("(sluice.console.api-url is not set)");
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
