package dev.sluice.adminweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console against a fake admin API served by the same embedded server, reached over HTTP
 * through the declarative client at {@code sluice.console.api-url}.
 */
@MicronautTest
@Property(name = "sluice.admin.token", value = ConsoleTest.TOKEN)
@Property(name = "sluice.console.api-url", value = "http://127.0.0.1:${micronaut.server.port}")
@Property(name = "fake-admin-api.enabled", value = "true")
class ConsoleTest {

    static final String TOKEN = "sk-admin-test-0123456789abcdef";

    @Inject
    EmbeddedServer server;

    @Inject
    FakeAdminApi.State fake;

    ConsoleHttp http;

    @BeforeEach
    void setUp() {
        http = new ConsoleHttp(server.getURI());
        fake.mode = FakeAdminApi.Mode.TWO_BACKENDS;
        fake.calls = 0;
        fake.lastAuthorization = null;
    }

    @Test
    void consoleWithoutCookieRedirectsToLogin() {
        for (String path : new String[] {"/console", "/console/backends"}) {
            HttpResponse<String> r = http.get(path);
            assertEquals(303, r.statusCode(), path);
            assertEquals("/console/login", r.headers().firstValue("Location").orElse(""), path);
        }
        assertEquals(0, fake.calls, "no API call without a session");
    }

    @Test
    void forgedOrTamperedCookieRedirectsToLogin() {
        String good = http.login(TOKEN);
        String value = good.substring(good.indexOf('=') + 1);
        String[] parts = value.split("\\.");
        String laterExpiry = "sluice_console=v2." + parts[1] + "." + parts[2] + "." + (Long.parseLong(parts[3]) + 86400)
                + "." + parts[4];
        String promoted = "sluice_console=v2." + parts[1] + ".V." + parts[3] + "." + parts[4];
        for (String cookie : new String[] {"sluice_console=" + TOKEN, "sluice_console=v2.YQ.A.9999999999.AAAA",
                laterExpiry, promoted, "sluice_console="}) {
            HttpResponse<String> r = http.get("/console", "Cookie", cookie);
            assertEquals(303, r.statusCode(), cookie);
        }
    }

    @Test
    void loginPageRenders() {
        HttpResponse<String> r = http.get("/console/login");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("name=\"token\""), r.body());
        assertTrue(r.body().contains("Sluice"));
        assertTrue(r.body().contains("/console/static/console.css"));
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void wrongTokenIsRefusedWithAnError() {
        HttpResponse<String> r = http.postForm("/console/login", "token=not-the-token");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("That token is not an admin token of this gateway."), r.body());
        assertTrue(r.body().contains("name=\"token\""), "form shown again");
        assertTrue(ConsoleHttp.setCookie(r, "sluice_console").isEmpty(), "no cookie on failure");

        HttpResponse<String> empty = http.postForm("/console/login", "token=");
        assertEquals(401, empty.statusCode());
        HttpResponse<String> missing = http.postForm("/console/login", "other=x");
        assertEquals(401, missing.statusCode());
    }

    @Test
    void rightTokenSetsAHardenedSessionCookie() {
        HttpResponse<String> r = http.postForm("/console/login", "token=" + TOKEN);
        assertEquals(303, r.statusCode(), r.body());
        assertEquals("/console", r.headers().firstValue("Location").orElse(""));
        String setCookie = ConsoleHttp.setCookie(r, "sluice_console").orElseThrow();
        String lower = setCookie.toLowerCase();
        assertTrue(lower.contains("httponly"), setCookie);
        assertTrue(lower.contains("samesite=strict"), setCookie);
        assertTrue(lower.contains("path=/console"), setCookie);
        assertTrue(lower.contains("max-age="), setCookie);
        assertFalse(setCookie.contains(TOKEN), "the cookie must not carry the raw token");
        String value = ConsoleHttp.sessionCookie(r).orElseThrow();
        assertNotEquals("sluice_console=" + TOKEN, value);
        assertTrue(value.matches("sluice_console=v2\\.[A-Za-z0-9_-]+\\.A\\.\\d+\\.[A-Za-z0-9_-]{43}"), value);

        HttpResponse<String> again = http.get("/console/login", "Cookie", value);
        assertEquals(303, again.statusCode(), "a signed-in user skips the form");
    }

    @Test
    void viewerTokenSignsInReadOnly_formsAreHidden_andAChangeIsRefused() {
        HttpResponse<String> r = http.postForm("/console/login", "token=" + FakeAdminApi.VIEWER_TOKEN);
        assertEquals(303, r.statusCode(), r.body());
        String cookie = ConsoleHttp.sessionCookie(r).orElseThrow();
        assertTrue(cookie.matches("sluice_console=v2\\.[A-Za-z0-9_-]+\\.V\\..*"), cookie);

        HttpResponse<String> page = http.get("/console/backends", "Cookie", cookie);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("Signed in as ops, a viewer"), page.body());
        assertTrue(page.body().contains("class=\"viewer\""), "the page hides what a viewer cannot do");

        String csrf = page.body().replaceAll("(?s).*name=\"_csrf\" value=\"([^\"]+)\".*", "$1");
        HttpResponse<String> refused = http.postForm("/console/apps", "name=x&_csrf=" + csrf, "Cookie", cookie);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("a viewer"), refused.body());
    }

    @Test
    void consoleRendersBothBackendsThroughTheApi() {
        String cookie = http.login(TOKEN);
        for (String path : new String[] {"/console/backends"}) {
            HttpResponse<String> r = http.get(path, "Cookie", cookie);
            assertEquals(200, r.statusCode(), r.body());
            String html = r.body();
            assertTrue(html.contains("openai-main"), html);
            assertTrue(html.contains("local-vllm"), html);
            assertTrue(html.contains("https://api.openai.com/v1"), html);
            assertTrue(html.contains("gpt-4o-2024-08-06"), html);
            assertTrue(html.contains("gpt-4o-mini"), html);
            assertTrue(html.contains("meta-llama/Llama-3.1-8B-Instruct"), html);
            assertTrue(html.contains("Disabled"), html);
            assertTrue(html.contains("priority 1 · weight 10"), html);
            assertTrue(html.contains("2 backends, 1 enabled"), html);
            assertFalse(html.contains(TOKEN), "no raw admin token in the page");
            assertFalse(html.contains("banner-error"), html);
        }
        assertEquals("Bearer " + TOKEN, fake.lastAuthorization, "the console calls the API with the admin token");
    }

    @Test
    void dashboardRendersWithAnEmptyGateway() {
        HttpResponse<String> r = http.get("/console", "Cookie", http.login(TOKEN));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("/console/static/chart.umd.min.js"), "Chart.js from the console itself");
        assertTrue(r.body().contains("data-chart=\"usage\""), r.body());
        assertFalse(r.body().contains("banner-error"), r.body());
    }

    @Test
    void emptyStateWhenThereAreNoBackends() {
        fake.mode = FakeAdminApi.Mode.EMPTY;
        HttpResponse<String> r = http.get("/console/backends", "Cookie", http.login(TOKEN));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("No backends yet"), r.body());
        assertFalse(r.body().contains("<table"), r.body());
    }

    @Test
    void apiServerErrorShowsABanner() {
        fake.mode = FakeAdminApi.Mode.FAIL_500;
        HttpResponse<String> r = http.get("/console", "Cookie", http.login(TOKEN));
        assertBanner(r, "The admin API failed", "database unavailable");
    }

    @Test
    void apiRejectingTheTokenShowsABanner() {
        fake.mode = FakeAdminApi.Mode.REJECT_TOKEN;
        HttpResponse<String> r = http.get("/console", "Cookie", http.login(TOKEN));
        assertBanner(r, "The admin API refused the console&#39;s token",
                "The admin API did not accept the console&#39;s admin token (invalid admin token).");
    }

    @Test
    void unreadableApiAnswerShowsABanner() {
        fake.mode = FakeAdminApi.Mode.NOT_JSON;
        HttpResponse<String> r = http.get("/console", "Cookie", http.login(TOKEN));
        assertBanner(r, "The admin API&#39;s answer could not be read", "The admin API&#39;s answer could not be read.");
    }

    @Test
    void logoutWithoutTheCsrfTokenIsRefused() {
        String cookie = http.login(TOKEN);
        HttpResponse<String> r = http.postForm("/console/logout", "", "Cookie", cookie);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(ConsoleHttp.setCookie(r, "sluice_console").isEmpty(), "the session stays");
    }

    @Test
    void logoutClearsTheCookie() {
        String cookie = http.login(TOKEN);
        String csrf = ConsoleHttp.csrfToken(http.get("/console/backends", "Cookie", cookie).body());
        HttpResponse<String> r = http.postForm("/console/logout", "_csrf=" + csrf, "Cookie", cookie);
        assertEquals(303, r.statusCode(), r.body());
        assertEquals("/console/login", r.headers().firstValue("Location").orElse(""));
        String cleared = ConsoleHttp.setCookie(r, "sluice_console").orElseThrow().toLowerCase();
        assertTrue(cleared.startsWith("sluice_console=;"), cleared);
        assertTrue(cleared.contains("max-age=0"), cleared);
        assertTrue(cleared.contains("path=/console"), cleared);
    }

    @Test
    void stylesheetIsServed() {
        HttpResponse<String> r = http.get("/console/static/console.css");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
        assertTrue(r.body().contains(".badge"), r.body());
    }

    static void assertBanner(HttpResponse<String> r, String title, String message) {
        assertEquals(502, r.statusCode(), r.body());
        String html = r.body();
        assertTrue(html.contains("<h1>" + title + "</h1>"), html);
        assertTrue(html.contains("<p class=\"error-message\">" + message), html);
        assertTrue(html.contains("Sluice"), "the page, not an error document");
        assertFalse(html.contains("Exception") || html.contains("\tat "), "no stack trace");
        assertFalse(html.contains(TOKEN), "no raw token");
    }
}
