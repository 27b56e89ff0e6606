package dev.affinity.router.observe;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console at {@code /ui} in a real browser (Debian's chromium, driven by Selenium) against a node in front
 * of the emulator. Skips when chromium is not installed, except under {@code CI=true}, where it must run.
 */
class ConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String MASTER = "sk-console-master-key-7";

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String missing = "chromium and chromedriver are not installed (" + CHROMIUM + ", " + CHROMEDRIVER
          + "): apt-get install -y chromium chromium-driver, as .ci/run does";
      if ("true".equals(System.getenv("CI"))) {
        fail(missing + "; under CI=true the console must be tested");
      }
      Assumptions.assumeTrue(false, missing + "; the browser test is skipped");
    }
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("c1", "sk-upstream-c1").addAccount("c2", "sk-upstream-c2")));
    int closedPort = TestGateway.freePort();
    gateway = TestGateway.start("""
        general_settings: {master_key: %2$s}
        router_settings: {allowed_fails: 0, cooldown_time: 600, balance_abs_threshold: 1000000}
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-upstream-c1, api_base: "%1$s"}
            model_info: {id: team-a-key}
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-upstream-c2, api_base: "%1$s"}
            model_info: {id: team-b-key}
          - model_name: haiku
            litellm_params: {model: anthropic/claude-haiku-4-5, api_key: sk-unused, api_base: "http://127.0.0.1:%3$d"}
            model_info: {id: haiku-offline}
        """.formatted(emulator.baseUrl(), MASTER, closedPort));
    // four agents, five turns each: the first turn of each claims a prefix, the others follow their pin (balance is
    // off: three agents on one key would otherwise move a turn, and its read, to the other)
    for (int turn = 0; turn < 5; turn++) {
      for (int agent = 0; agent < 4; agent++) {
        assertThat(gateway.post("/v1/messages", request("sonnet", agent, "turn " + turn), "x-api-key", MASTER)
            .statusCode()).isEqualTo(200);
      }
    }
    // a deployment that cannot be reached cools down
    gateway.post("/v1/messages", request("haiku", 99, "hello"), "x-api-key", MASTER);

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1500,1450");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (emulator != null) {
      await(emulator.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static String request(String model, int agent, String question) {
    return TestGateway.agentRequest(model, agent, question, false);
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  /** The cells of a table body, read in one step: the page redraws its tables every two seconds. */
  @SuppressWarnings("unchecked")
  private static List<List<String>> table(String tbody) {
    return (List<List<String>>) ((JavascriptExecutor) browser).executeScript("return Array.from("
        + "document.querySelectorAll('#" + tbody + " tr')).map(row => Array.from(row.cells).map(c => c.textContent))");
  }

  private static List<String> column(String tbody, int index) {
    return table(tbody).stream().map(row -> row.get(index)).toList();
  }

  private static String text(String id) {
    return (String) ((JavascriptExecutor) browser).executeScript(
        "return document.getElementById(arguments[0]).textContent", id);
  }

  @Test
  void theConsoleAsksForTheKeyThenShowsRoutingCacheAndMoney() throws Exception {
    browser.get(gateway.baseUrl() + "/ui");
    WebElement key = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

    key.sendKeys("sk-not-the-key");
    browser.findElement(By.id("connect")).click();
    WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("key-error")));
    assertThat(error.getText()).contains("invalid x-api-key");
    assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

    browser.findElement(By.id("key")).sendKeys(MASTER);
    browser.findElement(By.id("connect")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("dashboard")));
    waiting().until(driver -> driver.findElements(By.cssSelector("#log tr")).size() >= 21);

    // the live log: every call with its deployment and route, cache read and write, cost and saving
    assertThat(column("log", 4)).contains("pinned", "claimed");
    // (which sonnet deployment each agent lands on is the routing strategy's random choice)
    assertThat(column("log", 3)).contains("haiku-offline")
        .allSatisfy(deployment -> assertThat(deployment).isIn("team-a-key", "team-b-key", "haiku-offline"));
    assertThat(column("log", 6).stream().filter(read -> !read.equals("0"))).hasSizeGreaterThanOrEqualTo(16);
    assertThat(column("log", 12)).allSatisfy(saving -> assertThat(saving).matches("-?\\$\\d+\\.\\d+"));

    // per deployment: load, cache efficiency and health; the unreachable one cools down
    assertThat(column("deployments", 1)).containsExactlyInAnyOrder("team-a-key", "team-b-key", "haiku-offline");
    for (List<String> cells : table("deployments")) {
      if (cells.get(1).equals("haiku-offline")) {
        assertThat(cells.get(2)).isEqualTo("cooling down");
      } else {
        assertThat(cells.get(2)).isEqualTo("healthy");
        assertThat(cells.get(6)).endsWith("%").isNotEqualTo(cells.get(4).equals("0") ? "" : "0.0%");
      }
    }
    assertThat(text("cooldowns")).contains("haiku-offline until");
    assertThat(text("total-requests")).isEqualTo("21");
    assertThat(text("hit-rate")).isNotEqualTo("0.0%");
    assertThat(text("saved")).startsWith("$").isNotEqualTo("$0.0000");

    // pins and cluster members
    assertThat(Integer.parseInt(text("pin-total"))).isGreaterThanOrEqualTo(4);
    assertThat(column("pins", 1)).isNotEmpty().allSatisfy(owner -> assertThat(owner).isIn("team-a-key",
        "team-b-key"));
    assertThat(text("member-count")).isEqualTo("1");
    assertThat(text("members")).isNotBlank();

    // live: calls made while the page is open appear without a reload, and, in a later interval of the journal,
    // extend the charts' lines
    Thread.sleep(10_000 - System.currentTimeMillis() % 10_000 + 200);
    for (int agent = 0; agent < 4; agent++) {
      gateway.post("/v1/messages", request("sonnet", agent, "a later turn"), "x-api-key", MASTER);
    }
    waiting().until(driver -> text("total-requests").equals("25"));
    waiting().until(driver -> table("log").size() >= 25);
    for (String chart : List.of("chart-hit", "chart-saved")) {
      String points = (String) ((JavascriptExecutor) browser).executeScript(
          "return document.querySelector('#" + chart + " polyline').getAttribute('points')");
      assertThat(points.split(" ")).as(chart).hasSizeGreaterThanOrEqualTo(2);
    }

    // the key travels in a header only
    assertThat(browser.getCurrentUrl()).doesNotContain(MASTER).endsWith("/ui/");

    // into target/, and into docs/img/ when asked: mvn test -Dtest=ConsoleBrowserTest -Daffinity.screenshots=docs
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    assertThat(Files.size(shot.toPath())).isGreaterThan(10_000);
    Path module = Path.of(System.getProperty("user.dir"));
    Files.createDirectories(module.resolve("target"));
    Files.copy(shot.toPath(), module.resolve("target").resolve("console.png"), StandardCopyOption.REPLACE_EXISTING);
    Path images = module.resolveSibling("docs").resolve("img");
    if ("docs".equals(System.getProperty("affinity.screenshots")) && Files.isDirectory(images)) {
      Files.copy(shot.toPath(), images.resolve("console.png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void theDataBehindTheConsoleNeedsTheMasterKey() throws Exception {
    assertThat(gateway.get("/affinity/activity").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/affinity/activity", "x-api-key", "sk-wrong").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/affinity/activity", "x-api-key", MASTER).body()).contains("\"recent\"")
        .doesNotContain(MASTER, "sk-upstream-c1", "sk-upstream-c2");
    // the page itself holds no data, and forbids framing
    var page = gateway.get("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow()).contains("default-src 'self'");
  }
}
