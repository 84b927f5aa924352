package io.github.dubboredis.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.internal.configcenter.ConfigKeyspace;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.metadata.ServiceAppMappings;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * The console in a real headless Chromium: registries (the library's own engines, as applications run them) join,
 * leave and crash while the page is open, and the page follows without a reload; hostile key names, fields and
 * instances are shown as inert text. Skipped where {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is
 * missing. Leaves a screenshot in {@code target/console.png} (and copies it to {@code -Dconsole.screenshot=PATH}).
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String GREETER = "com.example.Greeter";
    private static final String LONG_NAME = "org.example.a" + "verylongname".repeat(250);

    private final List<AutoCloseable> open = new ArrayList<>();
    private WebDriver browser;

    @AfterEach
    void closeAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        open.add(resource);
        return resource;
    }

    /** A registry as an application runs it, on a runtime of its own (as if in its own process). */
    private RegistryEngine registry(String name, RedisRegistrySettings settings) {
        LettuceRuntime runtime = closeLater(new LettuceRuntime(name));
        return closeLater(RegistryEngine.open(settings, runtime.acquire(settings.connection(), true), RegistryObserver.NONE,
                System::currentTimeMillis));
    }

    private static void register(RegistryEngine registry, String service, String category, String url) throws Exception {
        registry.registrations().register(registry.keyspace().key(service, category), url, true).get(10, TimeUnit.SECONDS);
    }

    private static String provider(String service, int port) {
        return "dubbo://127.0.0.1:" + port + "/" + service + "?interface=" + service + "&application=greeter-app&side=provider"
                + "&version=1.0.0&methods=greet,farewell&dubbo=2.0.2&release=3.3.6&timestamp=1733400000000";
    }

    private WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1440,1750");
        // An alert must not be dismissed for us: the test looks for one.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void thePageFollowsRegistriesLiveAndShowsHostileDataAsInertText(@TempDir Path profile) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "the browser test needs " + CHROMIUM + " and "
                + CHROMEDRIVER + " (Debian: apt-get install -y chromium chromium-driver); skipped");
        RedisServer redis = closeLater(RedisServer.startDefault());
        RedisRegistrySettings settings = ConsoleApiTest.settings("redis://" + redis.address() + "?session=2000");
        RegistryEngine a = registry("provider-a", settings);
        register(a, GREETER, "providers", provider(GREETER, 20880));
        register(a, GREETER, "consumers", "consumer://127.0.0.1/" + GREETER + "?interface=" + GREETER + "&side=consumer&category=consumers");
        for (int port = 20890; port < 20893; port++) {
            register(a, "com.example.Billing", "providers", provider("com.example.Billing", port));
        }
        register(a, "com.example.Inventory", "providers", provider("com.example.Inventory", 20895));
        a.registrations().register(a.keyspace().instancesKey("greeter-app"), "{\"serviceName\":\"greeter-app\",\"host\":\"127.0.0.1\","
                + "\"port\":20880,\"enabled\":true,\"healthy\":true,\"metadata\":{\"dubbo.metadata.revision\":\"7f3a\"}}", true)
                .get(10, TimeUnit.SECONDS);
        ServiceAppMappings mappings = new ServiceAppMappings(a.store(), "dubbo");
        mappings.add(GREETER, "greeter-app").get(10, TimeUnit.SECONDS);
        mappings.add("com.example.Billing", "billing-app").get(10, TimeUnit.SECONDS);
        mappings.close();

        OperatorSession session = closeLater(OperatorSession.open(settings, "console"));
        ConsoleServer console = closeLater(ConsoleServer.start(session, ConsoleOptions.defaults().withBind("127.0.0.1", 0)
                .withWrites(true)));
        browser = chromium(profile);
        // The page rebuilds its tables on every change: an element found a moment ago may be gone.
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
        browser.get(console.uri().toString());

        // What is registered is listed; picking a service shows its entries with a countdown.
        wait.until(d -> text("services").contains(GREETER));
        assertThat(cell(GREETER, 2)).isEqualTo("1");
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live");
        click(wait, "services", GREETER);
        wait.until(d -> text("detail").contains("127.0.0.1:20880"));
        wait.until(d -> text("detail").matches("(?s).*in \\d+\\.\\d s.*"));
        assertThat(text("apps")).contains("greeter-app");
        assertThat(text("mappings")).contains(GREETER).contains("greeter-app");

        // A provider starts: it appears, without a reload.
        RegistryEngine b = registry("provider-b", settings);
        register(b, GREETER, "providers", provider(GREETER, 20881));
        wait.until(d -> text("detail").contains("127.0.0.1:20881"));
        wait.until(d -> "2".equals(cell(GREETER, 2)));
        assertThat(text("events")).contains("register");

        // It crashes (no unregister): another registry reaps it once its lease ran out, and it disappears.
        b.close();
        wait.until(d -> !text("detail").contains("127.0.0.1:20881"));
        wait.until(d -> "1".equals(cell(GREETER, 2)));
        assertThat(text("events")).contains("expired");

        // One joins and leaves gracefully. Its registry has a long session: renewals are not announced, so a removal
        // is told from an expiry only by the expiry last read (see docs/console.md), which stays ahead here.
        RegistryEngine c = registry("provider-c", ConsoleApiTest.settings("redis://" + redis.address() + "?session=60000"));
        register(c, GREETER, "providers", provider(GREETER, 20882));
        wait.until(d -> text("detail").contains("127.0.0.1:20882"));
        c.registrations().unregister(c.keyspace().key(GREETER, "providers"), provider(GREETER, 20882)).get(10, TimeUnit.SECONDS);
        wait.until(d -> !text("detail").contains("127.0.0.1:20882"));
        assertThat(text("events")).contains("unregister");

        // Hostile names, written behind the page's back: shown as text, nothing runs, the layout holds.
        plantHostileData(redis, a);
        wait.until(d -> text("services").contains("onerror=window.__pwned=2"));
        wait.until(d -> text("apps").contains("onload=window.__pwned=4"));
        click(wait, "services", "onerror=window.__pwned=2");
        wait.until(d -> textContent("detail").contains("<script>window.__pwned=1"));
        assertThat(text("services")).contains("<img src=x onerror=window.__pwned=2>\\x1b[31m\\nred\\u2028<b>bold")
                .contains("verylongname").contains("chars)");
        assertThat(text("services-notes")).contains("<script>window.__pwned=3</script>");
        assertThat(textContent("detail")).contains("\\x1b]0;owned\\x07").contains("alert(1)</script>");
        click(wait, "apps", "onload=window.__pwned=4");
        wait.until(d -> text("detail").contains("<img src=x onerror=alert(1)>:1"));
        assertThat(textContent("detail")).contains("<b>k</b>").contains("\\x1b[2J<script>window.__pwned=7</script>");
        browser.findElement(By.id("mapping-filter")).sendKeys("pwned");
        wait.until(d -> text("mappings").contains("<script>window.__pwned=5</script>"));
        assertThat(text("mappings")).contains("app<img src=x onerror=window.__pwned=6>");
        wait.until(d -> text("config-rules").contains("<img src=x onerror=window.__pwned=8>.condition-router"));
        click(wait, "config-rules", "onerror=window.__pwned=8");
        wait.until(d -> textContent("config-rule").contains("<script>window.__pwned=9</script>"));
        assertThat(textContent("config-rule")).contains("\\x1b]0;owned\\x07").contains("conditions:\n");
        assertNothingRan();
        assertLayoutHolds();

        // Actions: refused with a wrong token, done with the printed one (a real same-origin POST from the page).
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.id("reap")).click();
        wait.until(d -> text("action-result").contains("refused: missing or wrong"));
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(console.actionToken().orElseThrow());
        browser.findElement(By.id("reap")).click();
        wait.until(d -> text("action-result").matches("\\d+ dead entr(y|ies) removed \\(grace 500 ms\\)"));

        // The picture for the docs: the ordinary services picked, charts with a few samples.
        // clear() fires no input event: select and delete, as a person would.
        browser.findElement(By.id("mapping-filter")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        wait.until(d -> text("mappings").contains(GREETER));
        browser.findElement(By.id("filter")).sendKeys("com.example.");
        click(wait, "services", GREETER);
        wait.until(d -> text("detail").contains("127.0.0.1:20880"));
        Thread.sleep(11_000);
        assertNothingRan();
        assertLayoutHolds();
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        Path shot = Path.of("target", "console.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        String copy = System.getProperty("console.screenshot");
        if (copy != null && !copy.isBlank()) {
            Files.copy(shot, new File(copy).toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    private void plantHostileData(RedisServer redis, RegistryEngine a) throws Exception {
        long later = System.currentTimeMillis() + 3_600_000;
        try (RespClient raw = redis.client()) {
            CategoryKey hostile = a.keyspace().key(ConsoleApiTest.HOSTILE_SERVICE, "providers");
            raw.call("HSET", hostile.redisKey(), ConsoleApiTest.HOSTILE_URL, Long.toString(later));
            raw.call("PUBLISH", hostile.redisKey(), "register");
            raw.call("HSET", "/dubbo/com.evil.<script>window.__pwned=3</script>/providers", provider("x", 1), Long.toString(later));
            raw.call("HSET", "/dubbo/" + LONG_NAME + "/providers", provider(LONG_NAME, 20899), Long.toString(later));
            String instances = a.keyspace().instancesKey(ConsoleApiTest.HOSTILE_APP).redisKey();
            raw.call("HSET", instances, "{\"serviceName\":\"x\",\"host\":\"<img src=x onerror=alert(1)>\",\"port\":1,"
                    + "\"metadata\":{\"<b>k</b>\":\"\u001b[2J<script>window.__pwned=7</script>\"}}", Long.toString(later));
            raw.call("PUBLISH", instances, "register");
            raw.call("HSET", "dubbo:mapping", "<script>window.__pwned=5</script>", "app<img src=x onerror=window.__pwned=6>");
            // A governance rule where the registry-as-centre default keeps them (namespace dubbo, group dubbo).
            raw.call("HSET", new ConfigKeyspace("dubbo").hashKey("dubbo"), "<img src=x onerror=window.__pwned=8>.condition-router",
                    "conditions:\n  - '\u001b]0;owned\u0007 => <script>window.__pwned=9</script>'\n");
        }
    }

    private void assertNothingRan() {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertThat(js.executeScript("return typeof window.__pwned")).isEqualTo("undefined");
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        // Escaping, not only the Content-Security-Policy, keeps the markup out: none of it became an element.
        assertThat(js.executeScript("return document.querySelectorAll('main img, main script, main b, main iframe, "
                + "[onerror], [onload], [onclick]').length")).isEqualTo(0L);
    }

    private void assertLayoutHolds() {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertThat(js.executeScript("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
                .as("no horizontal overflow of the page").isEqualTo(true);
        assertThat(js.executeScript("return [...document.querySelectorAll('.card')].filter(c => c.scrollWidth > c.clientWidth + 1)"
                + ".map(c => c.id)")).as("cards whose content is wider than they are").isEqualTo(List.of());
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** All the text of an element, shown or folded away (a closed details element). */
    private String textContent(String id) {
        return (String) ((JavascriptExecutor) browser).executeScript("return document.getElementById(arguments[0]).textContent", id);
    }

    private void click(WebDriverWait wait, String table, String firstCell) {
        wait.until(d -> {
            row(table, firstCell).click();
            return true;
        });
    }

    /** The row of a table whose first cell contains the text. */
    private WebElement row(String table, String firstCell) {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr")).stream()
                .filter(r -> r.findElement(By.cssSelector("td")).getText().contains(firstCell)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no row with " + firstCell + " in #" + table));
    }

    /** A cell of a service's row, counted from 1, or null when the row is not there. */
    private String cell(String service, int column) {
        return browser.findElements(By.cssSelector("#services tbody tr")).stream()
                .filter(r -> r.findElement(By.cssSelector("td")).getText().equals(service)).findFirst()
                .map(r -> r.findElements(By.cssSelector("td")).get(column - 1).getText()).orElse(null);
    }
}
