package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console as an operator uses it, in a real headless Chromium against the whole gateway and a
 * stub backend: sign in, add a backend through the form (after a validation error), create an app,
 * issue a key, use it with the OpenAI SDK, find the requests on the dashboard, in the usage table,
 * the CSV and the request log, revoke the key, and see the SDK refused. Every page is saved as a
 * screenshot in {@code target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserEndToEndTest {
    private static final String MODEL = "gpt-console";
    private static final String BACKEND = "stub-backend";
    private static final String APP = "chatbot";
    private static final String VIEWER_TOKEN = "console-viewer-token-0123456789";
    private static final int CALLS = 3;

    private StubUpstream stub;
    private Gateway gateway;
    private Browser browser;
    private String console;
    private String appPage;
    private String key;

    @BeforeAll
    void start() {
        stub = StubUpstream.start();
        gateway = Gateway.start(Map.of("sluice.admin.tokens", "ops:viewer:" + VIEWER_TOKEN));
        browser = Browser.start();
        console = "http://localhost:" + gateway.adminPort() + "/console";
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    @Order(1)
    void givenNoSession_whenOpeningTheConsole_thenSignInLeadsToTheDashboard() {
        browser.open(console);
        browser.find(By.id("token"));
        assertTrue(browser.driver().getCurrentUrl().endsWith("/console/login"), browser.driver().getCurrentUrl());
        browser.screenshot("01-sign-in");
        browser.find(By.id("token")).sendKeys("not the token");
        browser.find(By.cssSelector("form[action='/console/login'] button[type=submit]")).click();
        browser.waitFor(d -> browser.pageText().contains("not an admin token"));

        browser.find(By.id("token")).sendKeys(Gateway.ADMIN_TOKEN);
        browser.find(By.cssSelector("form[action='/console/login'] button[type=submit]")).click();
        browser.waitFor(d -> browser.pageText().contains("Dashboard"));
        assertTrue(browser.pageText().contains("No backends yet"), browser.pageText());
        assertFalse(browser.driver().getPageSource().contains(Gateway.ADMIN_TOKEN), "the admin token never reaches a page");
        browser.screenshot("02-dashboard-empty");
    }

    @Test
    @Order(2)
    void givenABadBaseUrl_whenCreatingABackend_thenTheErrorIsShownNextToTheField_andAGoodOneIsSaved() {
        browser.open(console + "/backends");
        browser.waitFor(d -> browser.pageText().contains("No backends yet"));
        browser.screenshot("03-backends-empty");
        browser.open(console + "/backends/new");
        fill("name", BACKEND);
        fill("baseUrl", "ftp://not-a-backend");
        fill("models", MODEL);
        submit("form.backend-form, form[action='/console/backends']");
        WebElement error = browser.find(By.cssSelector(".field.invalid .field-error"));
        WebElement field = error.findElement(By.xpath("./ancestor::*[contains(concat(' ', @class, ' '), ' field ')][1]"));
        assertFalse(field.findElements(By.name("baseUrl")).isEmpty(), "the error sits next to the base URL: " + field.getText());
        assertEquals(BACKEND, browser.find(By.name("name")).getAttribute("value"), "the operator's input is kept");
        browser.screenshot("04-backend-validation-error");

        fill("baseUrl", stub.baseUrl());
        submit("form.backend-form, form[action='/console/backends']");
        browser.waitFor(d -> d.getCurrentUrl().matches(".*/console/backends/[0-9a-f-]{36}.*"));
        assertTrue(browser.pageText().contains(BACKEND));
        browser.screenshot("05-backend-detail");
        browser.open(console + "/backends");
        browser.waitFor(d -> browser.pageText().contains(stub.baseUrl()));
        browser.screenshot("06-backends");
    }

    @Test
    @Order(3)
    void givenAnApp_whenIssuingAKey_thenItIsShownOnce_andTheSdkCanUseIt() {
        browser.open(console + "/apps");
        browser.waitFor(d -> browser.pageText().contains("No apps yet"));
        fill("name", APP);
        submit("form[action='/console/apps']");
        browser.waitFor(d -> d.getCurrentUrl().matches(".*/console/apps/[0-9a-f-]{36}.*"));
        appPage = browser.driver().getCurrentUrl();
        submit("form[action$='/keys']");
        WebElement shown = browser.find(By.id("issued-key"));
        key = shown.getText().strip();
        assertTrue(key.length() > 20, key);
        browser.screenshot("07-app-key-issued");
        browser.open(appPage);
        browser.find(By.tagName("h1"));
        assertFalse(browser.driver().getPageSource().contains(key), "the key is shown only once");

        OpenAIClient openAi = gateway.openAi(key);
        try {
            for (int i = 0; i < CALLS; i++) {
                ChatCompletion answer = openAi.chat().completions().create(chat());
                assertEquals(StubUpstream.CONTENT, answer.choices().getFirst().message().content().orElseThrow());
            }
            try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat())) {
                assertTrue(stream.stream().count() > 0);
            }
        } finally {
            openAi.close();
        }
        Poll.until("the four requests in the request log", Duration.ofSeconds(10),
                () -> gateway.admin().get("/requests?app=" + APP).body().split("\"requestId\"").length - 1 >= CALLS + 1
                        ? Optional.of(true) : Optional.empty());
    }

    @Test
    @Order(4)
    void givenRequests_whenLookingAtTheDashboardUsageAndRequestLog_thenTheyAreThere() throws IOException {
        browser.open(console);
        browser.waitFor(d -> d.findElements(By.cssSelector("canvas[data-loaded=true]")).size() >= 3);
        assertEquals(String.valueOf(CALLS + 1), browser.find(By.id("sel-requests")).getText());
        assertTrue(browser.pageText().contains(APP), "top apps: " + browser.pageText());
        browser.screenshot("08-dashboard");

        browser.open(console + "/usage");
        WebElement table = browser.find(By.id("usage-table"));
        assertTrue(table.getText().contains(BACKEND) && table.getText().contains(APP) && table.getText().contains(MODEL),
                table.getText());
        browser.screenshot("09-usage");
        try (var old = Files.list(Browser.DOWNLOADS)) {
            old.forEach(p -> p.toFile().delete());
        }
        browser.find(By.id("download-csv")).click();
        Path csv = Poll.until("the downloaded CSV", Duration.ofSeconds(15), () -> {
            try (var files = Files.list(Browser.DOWNLOADS)) {
                return files.filter(p -> p.toString().endsWith(".csv")).findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.getFirst().contains("backend") && lines.getFirst().contains("app"), lines.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.contains(BACKEND) && l.contains(APP) && l.contains(MODEL)), String.join("\n", lines));

        browser.open(console + "/requests?app=" + APP);
        WebElement requests = browser.find(By.id("requests-table"));
        assertEquals(CALLS + 1, requests.findElements(By.cssSelector("tbody tr")).size(), requests.getText());
        browser.screenshot("10-requests");
        requests.findElement(By.cssSelector("tbody tr a[href*='/console/requests/']")).click();
        WebElement attempts = browser.find(By.id("attempts-table"));
        assertTrue(attempts.getText().contains(BACKEND) && attempts.getText().contains("200"), attempts.getText());
        browser.screenshot("11-request-detail");

        for (String page : List.of("quotas", "queue")) {
            browser.open(console + "/" + page);
            browser.find(By.tagName("h1"));
            assertFalse(browser.pageText().contains("Exception"), browser.pageText());
            browser.screenshot("12-" + page);
        }
        browser.open(appPage);
        browser.find(By.tagName("h1"));
        browser.screenshot("13-app");
    }

    @Test
    @Order(5)
    void givenTheForms_whenEditingLimitsDisablingAndDeleting_thenTheApiHoldsTheChanges() {
        // an app's limits: a wrong number is named next to its field, then the right ones are saved
        browser.open(appPage);
        fill("rpm", "lots");
        submit("form.limits-form");
        WebElement error = browser.find(By.cssSelector(".field.invalid .field-error"));
        WebElement field = error.findElement(By.xpath("./ancestor::*[contains(concat(' ', @class, ' '), ' field ')][1]"));
        assertFalse(field.findElements(By.name("rpm")).isEmpty(), "the error sits next to rpm: " + field.getText());
        browser.screenshot("14-app-limits-error");
        fill("rpm", "120");
        fill("maxConcurrent", "4");
        fill("quota.requestsPerPeriod", "5000");
        fill("quota.periodCron", "0 0 1 * *");
        fill("quota.timeZone", "Europe/Berlin");
        submit("form.limits-form");
        browser.waitFor(d -> browser.pageText().contains("Limits saved."));
        String app = gateway.admin().get("/apps").body();
        assertTrue(app.contains("\"rpm\":120") && app.contains("\"maxConcurrent\":4") && app.contains("Europe/Berlin"), app);
        browser.open(console + "/quotas");
        WebElement quotas = browser.find(By.id("quotas-table"));
        assertTrue(quotas.getText().contains(APP) && quotas.getText().contains("Europe/Berlin"), quotas.getText());
        browser.screenshot("15-quotas");

        // a backend's edit form: the API key is never shown back, a new limit is saved
        browser.open(console + "/backends");
        browser.find(By.cssSelector("a[aria-label='Edit " + BACKEND + "']")).click();
        assertEquals("", browser.find(By.name("apiKey")).getAttribute("value"), "the API key is write-only");
        fill("limits.rpm", "900");
        submit("form.backend-form");
        browser.waitFor(d -> browser.pageText().contains("Backend saved."));
        assertTrue(gateway.admin().get("/backends").body().contains("\"rpm\":900"));

        // disable and enable again from the list
        browser.open(console + "/backends");
        browser.find(By.xpath("//tr[.//a[text()='" + BACKEND + "']]//button[text()='Disable']")).click();
        browser.waitFor(d -> browser.pageText().contains("Backend disabled."));
        assertFalse(backendEnabled(BACKEND), "disabled through the console");
        browser.find(By.xpath("//tr[.//a[text()='" + BACKEND + "']]//button[text()='Enable']")).click();
        browser.waitFor(d -> browser.pageText().contains("Backend enabled."));
        assertTrue(backendEnabled(BACKEND), "enabled again through the console");

        // a throwaway backend that nothing answers, checked every second: its detail page shows the
        // circuit opening in the health history; then it is deleted after the confirmation
        browser.open(console + "/backends/new");
        fill("name", "throwaway");
        fill("baseUrl", "http://127.0.0.1:9/v1");
        fill("models", "gpt-throwaway");
        WebElement check = browser.find(By.name("healthCheck.enabled"));
        if (!check.isSelected()) {
            check.click();
        }
        fill("healthCheck.path", "/models");
        fill("healthCheck.intervalMs", "1000");
        fill("healthCheck.timeoutMs", "500");
        submit("form.backend-form");
        browser.waitFor(d -> d.getCurrentUrl().matches(".*/console/backends/[0-9a-f-]{36}.*"));
        String throwaway = browser.driver().getCurrentUrl().replaceAll("[?#].*", "");
        browser.waitFor(d -> {
            d.navigate().to(throwaway);
            return !d.findElements(By.cssSelector("#health-history tbody tr")).isEmpty();
        });
        assertTrue(browser.find(By.id("health-history")).getText().contains("Circuit opened"), browser.pageText());
        browser.screenshot("16-backend-health-history");
        browser.open(console + "/backends");
        String asked = confirming(() -> browser.find(By.xpath("//tr[.//a[text()='throwaway']]//button[text()='Delete']")).click());
        assertTrue(asked.startsWith("Delete backend throwaway?"), asked);
        browser.waitFor(d -> browser.pageText().contains("Backend deleted."));
        assertFalse(gateway.admin().get("/backends").body().contains("throwaway"));
        browser.screenshot("17-backend-deleted");

        // every one of those changes is in the audit log, made by the console from the browser's address
        browser.open(console + "/audit?type=backend");
        String audit = browser.find(By.id("audit-table")).getText();
        assertTrue(audit.contains("backend.update") && audit.contains("backend.delete") && audit.contains("backend.create"), audit);
        assertTrue(audit.contains("console") && audit.contains("127.0.0.1"), audit);
        assertTrue(audit.contains("limits.rpm: null → 900"), "the edit, field by field: " + audit);
        browser.screenshot("17b-audit");

        browser.open(console + "/queue");
        browser.waitFor(d -> d.findElement(By.id("queue-live")).getAttribute("data-refreshed") != null);
        browser.screenshot("18-queue");
    }

    @Test
    @Order(6)
    void givenARevokedKey_whenTheSdkCallsAgain_thenItGets401() {
        browser.open(appPage);
        String asked = confirming(() -> submit("form[action$='/revoke']"));
        assertTrue(asked.startsWith("Revoke key"), asked);
        browser.waitFor(d -> browser.pageText().toLowerCase().contains("revoked"));
        browser.screenshot("19-key-revoked");
        OpenAIClient openAi = gateway.openAi(key);
        try {
            assertThrows(UnauthorizedException.class, () -> openAi.chat().completions().create(chat()));
        } finally {
            openAi.close();
        }
    }

    @Test
    @Order(7)
    void givenASignedInBrowser_whenAPostLacksTheCsrfToken_thenItIsRefused() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(console + "/apps"))
                .header("Cookie", browser.sessionCookieHeader())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=forged-app")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), refused.body());
        assertFalse(gateway.admin().get("/apps").body().contains("forged-app"), "nothing was created");

        browser.open(console);
        submit("form[action='/console/logout']");
        browser.find(By.id("token"));
        browser.open(console + "/usage");
        browser.find(By.id("token"));
    }

    @Test
    @Order(8)
    void givenAViewersToken_whenSignedIn_thenEverythingShows_butNothingThatChanges() {
        browser.open(console);
        browser.find(By.id("token")).sendKeys(VIEWER_TOKEN);
        browser.find(By.cssSelector("form[action='/console/login'] button[type=submit]")).click();
        browser.waitFor(d -> browser.pageText().contains("Signed in as ops, a viewer"));

        browser.open(console + "/backends");
        browser.waitFor(d -> browser.pageText().contains(BACKEND));
        assertFalse(browser.find(By.xpath("//tr[.//a[text()='" + BACKEND + "']]//button[text()='Disable']")).isDisplayed(),
                "a viewer sees no Disable button");
        assertTrue(browser.driver().findElements(By.cssSelector("a[href$='/backends/new']")).stream().noneMatch(WebElement::isDisplayed),
                "nor the Add backend link");
        browser.screenshot("20-viewer-backends");

        browser.open(console + "/audit");
        assertTrue(browser.find(By.id("audit-table")).getText().contains("backend.update"));
        submit("form[action='/console/logout']");
        browser.find(By.id("token"));
    }

    private static ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hello from the console test").build();
    }

    /**
     * Runs {@code action} with the page's {@code confirm()} answering yes, and returns the question
     * it asked; times out when none was asked: the destructive forms must ask before they submit.
     */
    private String confirming(Runnable action) {
        JavascriptExecutor js = (JavascriptExecutor) browser.driver();
        js.executeScript("window.confirm = function (m) { sessionStorage.setItem('asked', m); return true; };"
                + "sessionStorage.removeItem('asked');");
        action.run();
        browser.waitFor(d -> ((JavascriptExecutor) d).executeScript("return sessionStorage.getItem('asked');") != null);
        return js.executeScript("return sessionStorage.getItem('asked');").toString();
    }

    /** The {@code enabled} flag of the backend named {@code name}, read from the admin API's list. */
    private boolean backendEnabled(String name) {
        for (JsonNode backend : gateway.admin().get("/backends").json().path("data")) {
            if (name.equals(backend.path("name").asText())) {
                return backend.path("enabled").asBoolean();
            }
        }
        throw new AssertionError("no backend named " + name);
    }

    private void fill(String name, String value) {
        WebElement input = browser.find(By.name(name));
        input.clear();
        input.sendKeys(value);
    }

    private void submit(String formSelector) {
        WebElement form = browser.find(By.cssSelector(formSelector));
        form.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
    }
}
