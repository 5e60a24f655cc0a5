package dev.cortex.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.TestKeys;
import dev.cortex.sim.ProviderSimulator;
import dev.cortex.sim.SimulatorMain;
import dev.cortex.status.RequestFeed;
import dev.cortex.status.RequestSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The status page in Debian's headless Chromium (scripts/install-test-tools.sh installs it), with the simulators in
 * the seed's nightmare: Groq 429, Gemini out of quota, Cohere 503, Ollama answering. Gateway keys exist, so the page
 * asks for an admin key before it shows anything. Leaves a screenshot in gateway/target (the README's with
 * {@code -Dcortex.screenshot=docs/status-page.png}).
 */
class StatusPageTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}],\"stream\":false}";

    static Map<String, ProviderSimulator> sims;
    static CortexServer cortex;
    static Path keysFile;
    static String admin;
    static String user;
    static WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(
                CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "Chromium and chromedriver are missing: run scripts/install-test-tools.sh");
        keysFile = Files.createTempDirectory("cortex-status-keys").resolve("keys.yaml");
        admin = newKey("--name", "ops", "--admin");
        user = newKey("--name", "team-a");
        newKey("--name", "private-data", "--local-only");
        sims = SimulatorMain.start(
                "--groq", "0", "--gemini", "0", "--cohere", "0", "--ollama", "0", "--scenario", "nightmare");
        cortex = CortexServer.start(Map.of(
                "cortex.keys.file", keysFile.toString(),
                "provider.groq.api-key", "gsk_simulated_status_key",
                "provider.groq.base-url", sims.get("groq").baseUrl(),
                "provider.gemini.api-key", "simulated-status-key",
                "provider.gemini.base-url", sims.get("gemini").baseUrl(),
                "provider.cohere.api-key", "simulated-status-key",
                "provider.cohere.base-url", sims.get("cohere").baseUrl(),
                "provider.ollama.base-url", sims.get("ollama").baseUrl(),
                "cortex.status.max-watchers", "3"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1700");
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER)
                        .usingAnyFreePort()
                        .build(),
                options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (cortex != null) {
            cortex.close();
        }
        if (sims != null) {
            sims.values().forEach(ProviderSimulator::close);
        }
    }

    @Test
    void anOperatorSeesTheOutageTheRequestsAndWhyARouteSkips() throws Exception {
        // the failures become visible once a request met them; the next finds Groq's and Gemini's keys cooling
        assertThat(chat().headers().firstValue("X-Cortex-Attempts"))
                .contains("groq:429,gemini:quota,cohere:503,ollama:ok");
        assertThat(chat().statusCode()).isEqualTo(200);

        browser.get(cortex.url("/status"));
        WebElement keyField = wait(5).until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        assertThat(browser.findElement(By.id("content")).isDisplayed()).isFalse(); // nothing shown without a key
        keyField.sendKeys(admin);
        browser.findElement(By.cssSelector("#key-form button[type=submit]")).click();

        for (String failing : List.of("groq", "gemini", "cohere")) {
            wait(5).until(ExpectedConditions.attributeToBe(card(failing), "data-state", "failing"));
        }
        wait(5).until(ExpectedConditions.attributeToBe(card("ollama"), "data-state", "ok"));
        assertThat(text(card("groq"))).contains("rate_limited");
        assertThat(text(card("gemini"))).contains("quota_exhausted");
        assertThat(text(card("cohere"))).contains("upstream_failed");
        List<String> chain = wait(5).until(page -> page.findElements(By.cssSelector("#chain .card")).stream()
                .map(c -> c.getAttribute("data-provider"))
                .toList());
        assertThat(chain).containsExactly("groq", "gemini", "cohere", "ollama");
        assertThat(text(By.cssSelector("#ollama .installed"))).isNotBlank();

        By rows = By.cssSelector("#requests tbody tr.request");
        wait(5).until(ExpectedConditions.numberOfElementsToBe(rows, 2)); // the two requests above, from the recent list
        wait(5).until(ExpectedConditions.textToBe(By.id("feed-state"), "(live)"));
        assertThat(chat().statusCode()).isEqualTo(200);
        wait(1).until(ExpectedConditions.numberOfElementsToBe(rows, 3)); // within a second of being made
        WebElement newest = browser.findElements(rows).get(0);
        assertThat(newest.getText())
                .contains("groq:cooling,gemini:cooling,cohere:503,ollama:ok")
                .contains("complete");
        assertThat(browser.getPageSource())
                .doesNotContain("hola")
                .doesNotContain(admin)
                .doesNotContain(user);

        new Select(browser.findElement(By.id("strategy"))).selectByVisibleText("cloud_first");
        browser.findElement(By.id("key-name")).sendKeys("private-data");
        browser.findElement(By.cssSelector("#explain button[type=submit]")).click();
        WebElement skip = wait(5).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#explain-result li.skip[data-provider=groq]")));
        assertThat(skip.getText()).startsWith("groq: skipped — ");
        assertThat(browser.findElement(By.cssSelector("#explain-result li.try[data-provider=ollama]"))
                        .isDisplayed())
                .isTrue();

        browser.manage().window().setSize(new Dimension(1400, 1700));
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        assertThat(png).hasSizeGreaterThan(10_000);
        // the README's picture is refreshed on request only (-Dcortex.screenshot=docs/status-page.png), so that a
        // test run leaves the checkout as it found it
        Path screenshot = Path.of(System.getProperty("cortex.screenshot", "gateway/target/status-page.png"));
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        Files.write(screenshot, png);

        // the operator's action: Chromium sends an Origin with this same-origin POST, which Cortex knows as its own
        wait(5).until(page -> {
            page.findElement(By.cssSelector("#chain .card[data-provider=groq] button.restore"))
                    .click();
            return true;
        });
        wait(5).until(ExpectedConditions.attributeToBe(card("groq"), "data-health", "available"));
        assertThat(text(By.cssSelector("#chain .card[data-provider=groq] .keys")))
                .startsWith("1 usable");
    }

    @Test
    void withNoGatewayKeysThePageNeedsNone() {
        try (CortexServer open = CortexServer.start(
                Map.of("provider.ollama.base-url", sims.get("ollama").baseUrl()))) {
            browser.get(open.url("/status")); // another port, another origin: no key in this tab's storage
            wait(5).until(ExpectedConditions.attributeToBe(
                    By.cssSelector("#chain .card[data-provider=ollama]"), "data-state", "ok"));
            wait(5).until(ExpectedConditions.textToBe(By.id("feed-state"), "(live)"));
            assertThat(browser.findElement(By.id("key-form")).isDisplayed()).isFalse();
        }
    }

    @Test
    void aPageElsewhereThatRebindsItsNameToCortexCannotRestore() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", cortex.port())) {
            socket.setSoTimeout(5000);
            String host = "rebound.example:" + cortex.port();
            socket.getOutputStream()
                    .write(("POST /api/providers/groq/restore HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host
                                    + "\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void theFeedAndTheDataNeedAnAdminKeyThePageDoesNot() {
        assertThat(Http.get(cortex.url("/status")).statusCode()).isEqualTo(200);
        assertThat(Http.get(cortex.url("/status/status.js")).statusCode()).isEqualTo(200);
        assertThat(Http.get(cortex.url("/status/secret.txt")).statusCode()).isEqualTo(404);
        assertThat(Http.get(cortex.url("/api/status/events")).statusCode()).isEqualTo(401);
        var asUser = Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/api/status/events")))
                .header("Authorization", "Bearer " + user)
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build());
        assertThat(asUser.statusCode()).isEqualTo(403);
    }

    @Test
    void watchingPagesAreBoundedAndOneThatLeavesFreesItsPlace() throws IOException {
        List<Socket> pages = new ArrayList<>();
        try {
            int status = 200;
            while (status == 200 && pages.size() <= 3) {
                Socket page = new Socket("127.0.0.1", cortex.port());
                pages.add(page);
                status = watch(page);
            }
            assertThat(status).isEqualTo(503); // the fourth page at the latest (the browser may hold a place)
        } finally {
            for (Socket page : pages) {
                page.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (Socket page = new Socket("127.0.0.1", cortex.port())) {
                assertThat(watch(page)).isEqualTo(200);
            }
        });
    }

    @Test
    void aPageThatStopsReadingIsDisconnectedNotBufferedFor() throws IOException {
        RequestFeed feed = cortex.bean("requestFeed", RequestFeed.class);
        try (Socket page = new Socket()) {
            page.setReceiveBufferSize(4096);
            page.connect(new InetSocketAddress("127.0.0.1", cortex.port()));
            assertThat(watch(page)).isEqualTo(200);
            // far more than the socket's buffers hold, published as fast as requests could ever end
            RequestSummary summary = new RequestSummary(
                    Instant.now(), "openai", true, "default", "x".repeat(1000), "ollama", "complete", 5, 1, 2);
            for (int i = 0; i < 50_000; i++) {
                feed.publish(summary);
            }
            page.setSoTimeout(10_000);
            InputStream in = page.getInputStream();
            byte[] buffer = new byte[65536];
            long read = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (SocketException reset) {
                // the connection was reset: what Cortex does to a page that does not read
            }
            // what the sockets had buffered (a few MB), far from the 50 MB published: the page was cut off
            assertThat(read).isLessThan(10_000_000L);
        }
    }

    /** Asks for the live feed on a connection of its own; returns the response's status. */
    private static int watch(Socket page) throws IOException {
        page.setSoTimeout(5000);
        page.getOutputStream()
                .write(("GET /api/status/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        String statusLine =
                new BufferedReader(new InputStreamReader(page.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static By card(String provider) {
        return By.cssSelector("#chain .card[data-provider=" + provider + "]");
    }

    private static WebDriverWait wait(int seconds) {
        // the page redraws its cards when the gateway's state changes: an element found may be replaced at once
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** An element's text, read again if the page redrew it meanwhile. */
    private static String text(By element) {
        return wait(5).until(page -> page.findElement(element).getText());
    }

    private static java.net.http.HttpResponse<String> chat() {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                .build());
    }

    private static String newKey(String... options) {
        return TestKeys.create(keysFile, options);
    }
}
