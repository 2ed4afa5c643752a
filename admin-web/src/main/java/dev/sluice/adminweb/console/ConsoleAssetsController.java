package dev.sluice.adminweb.console;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the console's stylesheets and scripts from the classpath, and Chart.js from its webjar
 * (no CDN: the console works offline). A controller rather than
 * {@code micronaut.router.static-resources}, so the gateway's configuration needs no entry for it.
 */
@Controller(ConsolePaths.STATIC)
public class ConsoleAssetsController {

    static final String FOLDER = "sluice-console/";
    static final String CHART_JS = "chart.umd.min.js";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}(\\.[a-z0-9-]{1,20}){0,3}\\.(css|js)");
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private final String chartJsResource;

    public ConsoleAssetsController() {
        this.chartJsResource = "META-INF/resources/webjars/chart.js/" + webjarVersion() + "/dist/" + CHART_JS;
    }

    /** {@code /console/static/<name>.css|js}: the console's own assets, and Chart.js. */
    @Get("/{name}")
    public HttpResponse<byte[]> asset(String name) {
        if (!NAME.matcher(name).matches()) {
            return HttpResponse.notFound();
        }
        String resource = name.equals(CHART_JS) ? chartJsResource : FOLDER + name;
        byte[] body = cache.computeIfAbsent(resource, r -> exists(r) ? load(r) : new byte[0]);
        if (body.length == 0) {
            return HttpResponse.notFound();
        }
        String type = name.endsWith(".css") ? "text/css;charset=utf-8" : "text/javascript;charset=utf-8";
        return HttpResponse.ok(body).contentType(type).header(HttpHeaders.CACHE_CONTROL, "public, max-age=300");
    }

    private static boolean exists(String resource) {
        return ConsoleAssetsController.class.getClassLoader().getResource(resource) != null;
    }

    static byte[] load(String resource) {
        try (InputStream in = ConsoleAssetsController.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing console resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String webjarVersion() {
        Properties p = new Properties();
        try (InputStream in = ConsoleAssetsController.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js webjar is not on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }
}
