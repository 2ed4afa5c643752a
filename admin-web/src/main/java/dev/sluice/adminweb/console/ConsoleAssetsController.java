package dev.sluice.adminweb.console;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the console's one stylesheet from the classpath. A controller rather than
 * {@code micronaut.router.static-resources}, so the gateway's configuration needs no entry for it.
 */
@Controller(ConsolePaths.STATIC)
public class ConsoleAssetsController {

    static final String CSS_RESOURCE = "sluice-console/console.css";
    private static final String TEXT_CSS = "text/css;charset=utf-8";

    private final byte[] css;

    public ConsoleAssetsController() {
        this.css = load(CSS_RESOURCE);
    }

    /** {@code /console/static/console.css}. */
    @Get(value = "/console.css", produces = TEXT_CSS)
    public HttpResponse<byte[]> css() {
        return HttpResponse.ok(css)
                .contentType(TEXT_CSS)
                .header(HttpHeaders.CACHE_CONTROL, "public, max-age=300");
    }

    static byte[] load(String resource) {
        try (InputStream in = ConsoleAssetsController.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
