package dev.sluice.adminweb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Renders the pages and saves them under {@code target/} for a look in a browser:
 * {@code console.html} as served, and {@code *-preview.html} copies with the stylesheet inlined
 * so they also look right from a {@code file:} URL.
 */
@MicronautTest
@Property(name = "sluice.admin.token", value = ConsoleTest.TOKEN)
@Property(name = "sluice.console.api-url", value = "http://127.0.0.1:${micronaut.server.port}")
@Property(name = "fake-admin-api.enabled", value = "true")
class ConsolePreviewTest {

    private static final String LINK = "<link rel=\"stylesheet\" href=\"/console/static/console.css\">";

    @Inject
    EmbeddedServer server;

    @Inject
    FakeAdminApi.State fake;

    @Test
    void savePages() throws IOException {
        ConsoleHttp http = new ConsoleHttp(server.getURI());
        String css = http.get("/console/static/console.css").body();
        String cookie = http.login(ConsoleTest.TOKEN);
        Path target = Path.of("target");
        Files.createDirectories(target);

        fake.mode = FakeAdminApi.Mode.TWO_BACKENDS;
        HttpResponse<String> page = http.get("/console", "Cookie", cookie);
        assertEquals(200, page.statusCode());
        Files.writeString(target.resolve("console.html"), page.body(), StandardCharsets.UTF_8);
        save(target, "console-preview.html", page.body(), css);

        save(target, "console-login-preview.html", http.postForm("/console/login", "token=wrong").body(), css);

        fake.mode = FakeAdminApi.Mode.FAIL_500;
        save(target, "console-error-preview.html", http.get("/console", "Cookie", cookie).body(), css);

        fake.mode = FakeAdminApi.Mode.EMPTY;
        save(target, "console-empty-preview.html", http.get("/console/backends", "Cookie", cookie).body(), css);
        fake.mode = FakeAdminApi.Mode.TWO_BACKENDS;
    }

    private static void save(Path dir, String name, String html, String css) throws IOException {
        if (!html.contains(LINK)) {
            throw new AssertionError("stylesheet link not found in " + name);
        }
        Files.writeString(dir.resolve(name), html.replace(LINK, "<style>\n" + css + "\n</style>"),
                StandardCharsets.UTF_8);
    }
}
