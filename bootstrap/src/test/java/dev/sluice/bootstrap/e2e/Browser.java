package dev.sluice.bootstrap.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by
 * Selenium, with a fresh profile and the flags this machine's closed network needs. Screenshots go
 * to {@code target/console-screenshots/}, downloads to {@code target/console-downloads/}.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final Path DOWNLOADS = Path.of("target", "console-downloads").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() {
        String binary = System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium");
        String chromedriver = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");
        if (!Files.isExecutable(Path.of(binary)) || !Files.isExecutable(Path.of(chromedriver))) {
            throw new IllegalStateException("The console's browser test needs Chromium at " + binary + " and ChromeDriver at "
                    + chromedriver + " (apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.createDirectories(DOWNLOADS);
            Path profile = Files.createTempDirectory("sluice-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(binary);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--user-data-dir=" + profile, "--window-size=1366,900");
            options.setExperimentalOption("prefs", Map.of(
                    "download.default_directory", DOWNLOADS.toString(),
                    "download.prompt_for_download", false));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(chromedriver))
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(By by) {
        return waitFor(d -> {
            var found = d.findElements(by);
            return found.isEmpty() ? null : found.getFirst();
        });
    }

    <T> T waitFor(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT).until(condition);
    }

    /** The visible text of the page; empty while a navigation replaces the document. */
    String pageText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (org.openqa.selenium.WebDriverException replacedMidNavigation) {
            // stale element, no body yet, or Chromium's "node does not belong to the document" while a
            // navigation swaps the document: the caller's wait polls again
            return "";
        }
    }

    /** A full-page screenshot as {@code target/console-screenshots/<name>.png}. */
    Path screenshot(String name) {
        try {
            Dimension size = driver.manage().window().getSize();
            Number height = (Number) driver.executeScript("return Math.max(document.body.scrollHeight, 900)");
            driver.manage().window().setSize(new Dimension(size.getWidth(), Math.min(height.intValue() + 120, 4000)));
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            driver.manage().window().setSize(size);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The session cookie the browser holds, as a {@code Cookie} header value, for calls the test makes itself. */
    String sessionCookieHeader() {
        var cookie = driver.manage().getCookieNamed("sluice_console");
        if (cookie == null) {
            throw new AssertionError("the browser holds no console session cookie");
        }
        return cookie.getName() + "=" + cookie.getValue();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
