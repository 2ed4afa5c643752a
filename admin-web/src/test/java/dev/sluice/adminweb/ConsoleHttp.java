package dev.sluice.adminweb;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A plain JDK client for the tests: never follows redirects, never throws on a status. */
final class ConsoleHttp {

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;

    ConsoleHttp(URI base) {
        this.base = base;
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> postForm(String path, String form, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    /** Logs in and returns the {@code Cookie} request header value for the session. */
    String login(String token) {
        HttpResponse<String> r = postForm("/console/login", "token=" + java.net.URLEncoder.encode(token,
                java.nio.charset.StandardCharsets.UTF_8));
        if (r.statusCode() != 303) {
            throw new AssertionError("login failed: " + r.statusCode() + " " + r.body());
        }
        return sessionCookie(r).orElseThrow(() -> new AssertionError("no session cookie"));
    }

    /** The CSRF token of a page's forms. */
    static String csrfToken(String html) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page: " + html);
        }
        return m.group(1);
    }

    static Optional<String> setCookie(HttpResponse<?> r, String name) {
        List<String> all = r.headers().allValues("Set-Cookie");
        return all.stream().filter(c -> c.startsWith(name + "=")).findFirst();
    }

    static Optional<String> sessionCookie(HttpResponse<?> r) {
        return setCookie(r, "sluice_console").map(c -> c.split(";", 2)[0]);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
