package dev.affinity.router.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.GatewayProcess;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.LogFormat;
import dev.affinity.router.node.LogLine;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** One access line for every request, refusals included, escaped, in text and JSON; never a key. */
class RequestLogLinesTest {

  private static final String MASTER = "sk-request-log-master-42";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLUSTER = "request-log-" + UUID.randomUUID();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("l1", "sk-upstream-l1")));
    gateway = TestGateway.start(config(emulator.baseUrl()), CLUSTER);
  }

  private static String config(String api) {
    return """
        general_settings: {master_key: %2$s, max_request_size_mb: 1}
        server_settings: {event_bus_api: true}
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-upstream-l1, api_base: "%1$s"}
            model_info: {id: l1}
        """.formatted(api, MASTER);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(emulator.close());
    await(vertx.close());
    logs.close();
  }

  private static String hello(String model) {
    return "{\"model\":" + JSON.valueToTree(model) + ",\"max_tokens\":16,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  /** The access line of the request the response names, once it is written (at the answer's end). */
  private static String accessLine(HttpResponse<String> response) throws InterruptedException {
    String id = response.headers().firstValue("x-affinity-request-id").orElseThrow();
    assertThat(id).matches("req_[0-9a-f]{32}");
    for (int wait = 0; wait < 500; wait++) {
      for (String line : logs.lines()) {
        if (line.contains("affinity.access") && line.contains("request=" + id + " ")) {
          return line;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no access line for " + id + " in:\n" + logs.all());
  }

  @Test
  void everyRefusalIsLoggedWithItsRequestIdClientAndReason() throws Exception {
    String unauthorized = accessLine(gateway.post("/v1/messages", hello("sonnet"), "x-api-key", "sk-wrong-key"));
    assertThat(unauthorized).contains("client=127.0.0.1 method=POST path=/v1/messages status=401")
        .contains("error=authentication_error reason=\"invalid x-api-key\"");

    String unknownModel = accessLine(gateway.post("/v1/messages", hello("claude-opus-9"), "x-api-key", MASTER));
    assertThat(unknownModel).contains("status=404 model=claude-opus-9 ")
        .contains("error=not_found_error reason=\"model 'claude-opus-9' is not served here");

    String malformed = accessLine(gateway.post("/v1/messages", "{\"model\":", "x-api-key", MASTER));
    assertThat(malformed).contains("status=400").contains("error=invalid_request_error reason=\"malformed JSON");

    String invalid = accessLine(gateway.post("/v1/messages", "{\"model\":\"sonnet\",\"max_tokens\":16}",
        "x-api-key", MASTER));
    assertThat(invalid).contains("status=400 model=sonnet ").contains("error=invalid_request_error");

    String tooLarge = accessLine(gateway.post("/v1/messages", "{\"model\":\"sonnet\",\"pad\":\""
        + "x".repeat(1_100_000) + "\"}", "x-api-key", MASTER));
    assertThat(tooLarge).contains("status=413").contains("error=request_too_large");

    // a scrape is logged at debug level, a refused one as any request
    assertThat(accessLine(gateway.get("/metrics", "x-api-key", MASTER))).contains(" FINE ")
        .contains("path=/metrics status=200");
    assertThat(accessLine(gateway.get("/metrics"))).contains(" INFO ").contains("path=/metrics status=401");

    String noRoute = accessLine(gateway.get("/no/such/endpoint"));
    assertThat(noRoute).contains("method=GET path=/no/such/endpoint status=404");

    String served = accessLine(gateway.post("/v1/messages", hello("sonnet"), "x-api-key", MASTER));
    assertThat(served).containsPattern("status=200 model=sonnet deployment=l1 route=\\w+ duration_ms=\\d+")
        .doesNotContain("error=");

    assertThat(logs.all()).doesNotContain(MASTER, "sk-upstream-l1", "sk-wrong-key");
    PrometheusText metrics = PrometheusText.parse(gateway.get("/metrics", "x-api-key", MASTER).body());
    assertThat(metrics.sum("affinity_refused_total", java.util.Map.of("status", "401"))).isGreaterThanOrEqualTo(1);
    assertThat(metrics.sum("affinity_refused_total", java.util.Map.of("status", "404",
        "type", "not_found_error"))).isGreaterThanOrEqualTo(2);
    assertThat(metrics.sum("affinity_refused_total", java.util.Map.of("status", "413"))).isGreaterThanOrEqualTo(1);
  }

  @Test
  void callsFromClusterMembersOverTheEventBusAreLoggedToo() throws Exception {
    Vertx member = TestGateway.clusterMember(CLUSTER);
    // the event-bus API is opt-in and its callers present the gateway key (issue 12)
    io.vertx.core.eventbus.DeliveryOptions withKey = new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader("x-api-key", MASTER);
    try {
      io.vertx.core.json.JsonObject unknown = new io.vertx.core.json.JsonObject().put("operation", "messages")
          .put("body", new io.vertx.core.json.JsonObject(hello("claude-opus-9")));
      Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> await(member.eventBus()
          .request(dev.affinity.model.EventBusAddress.ROUTER, unknown, withKey)));
      assertThat(refused).hasMessageContaining("claude-opus-9");
      io.vertx.core.json.JsonObject served = await(member.eventBus().<io.vertx.core.json.JsonObject>request(
          dev.affinity.model.EventBusAddress.ROUTER, new io.vertx.core.json.JsonObject().put("operation", "messages")
              .put("body", new io.vertx.core.json.JsonObject(hello("sonnet"))), withKey)).body();
      String id = served.getString("request_id");
      String line = null;
      for (int wait = 0; wait < 500 && line == null; wait++) {
        line = logs.lines().stream()
            .filter(logged -> logged.contains("affinity.access") && logged.contains("request=" + id + " ")).findFirst()
            .orElse(null);
        Thread.sleep(10);
      }
      assertThat(line).isNotNull()
          .contains("client=eventbus method=SEND path=affinity.router status=200 model=sonnet deployment=l1");
      assertThat(logs.lines()).anySatisfy(logged -> assertThat(logged).contains("client=eventbus")
          .contains("status=404 model=claude-opus-9").contains("error=not_found_error"));
    } finally {
      await(member.close());
    }
  }

  @Test
  void whatAClientSentIsEscapedAndCutShortSoItCannotForgeALine() throws Exception {
    String forged = "x\nINFO affinity.access request=req_forged status=200 \"quoted\" " + "m".repeat(300);
    HttpResponse<String> response = gateway.post("/v1/messages", hello(forged), "x-api-key", MASTER);
    assertThat(response.statusCode()).isEqualTo(404);
    String line = accessLine(response);
    assertThat(line.strip()).doesNotContain("\n");
    assertThat(line).contains("model=\"x\\nINFO affinity.access request=req_forged status=200 \\\"quoted\\\" mmm")
        .contains("m...\"");
    assertThat(logs.lines()).noneMatch(logged -> logged.contains("request=req_forged") && !logged.contains(
        "model=\"x\\n"));
  }

  @Test
  void theJsonFormatWritesOneObjectPerLineWithTheFieldsAsKeys() throws Exception {
    LogRecord record = captured(new LogLine().with("request", "req_1").with("status", 404)
        .with("model", "a\nb\"c").with("cost_usd", new java.math.BigDecimal("0.001200")));
    String json = new LogFormat.Json().format(record);
    assertThat(json.strip()).doesNotContain("\n");
    JsonNode parsed = JSON.readTree(json);
    assertThat(parsed.path("logger").asText()).isEqualTo("affinity.test");
    assertThat(parsed.path("level").asText()).isEqualTo("INFO");
    assertThat(parsed.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    assertThat(parsed.path("status").asInt()).isEqualTo(404);
    assertThat(parsed.path("model").asText()).isEqualTo("a\nb\"c");
    assertThat(parsed.path("cost_usd").isNumber()).isTrue();
    assertThat(parsed.path("cost_usd").asDouble()).isEqualTo(0.0012);
    assertThat(record.getMessage()).isEqualTo("request=req_1 status=404 model=\"a\\nb\\\"c\" cost_usd=0.001200");
    // any other record: its message, escaped in the text format too
    LogRecord plain = new LogRecord(Level.WARNING, "first\nsecond");
    plain.setLoggerName("affinity.test");
    assertThat(JSON.readTree(new LogFormat.Json().format(plain)).path("message").asText()).isEqualTo("first\nsecond");
    assertThat(new LogFormat.Text().format(plain).strip()).endsWith("affinity.test first\\nsecond")
        .doesNotContain("\n");
  }

  private static LogRecord captured(LogLine line) {
    List<LogRecord> records = new ArrayList<>();
    Logger logger = Logger.getLogger("affinity.test");
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(handler);
    try {
      line.log(logger, Level.INFO);
    } finally {
      logger.removeHandler(handler);
    }
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  @Test
  void theLauncherWritesJsonLinesWithLogFormatJson(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, config(emulator.baseUrl()));
    int clusterPort = GatewayProcess.freeClusterPorts(1);
    try (GatewayProcess node = GatewayProcess.start(config, "log-" + UUID.randomUUID(), clusterPort, 1,
        List.of("--log-format", "json"))) {
      node.awaitListening(java.time.Duration.ofSeconds(90));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      HttpResponse<String> refused = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(node.baseUrl() + "/v1/messages"))
          .header("x-api-key", "sk-wrong-key").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
              hello("sonnet"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
      String id = refused.headers().firstValue("x-affinity-request-id").orElseThrow();
      JsonNode access = null;
      for (int wait = 0; wait < 500 && access == null; wait++) {
        for (String line : node.output().split("\n")) {
          if (line.startsWith("{") && line.contains(id)) {
            access = JSON.readTree(line);
          }
        }
        Thread.sleep(10);
      }
      assertThat(access).as(node.output()).isNotNull();
      assertThat(access.path("logger").asText()).isEqualTo("affinity.access");
      assertThat(access.path("status").asInt()).isEqualTo(401);
      assertThat(access.path("client").asText()).isEqualTo("127.0.0.1");
      assertThat(access.path("error").asText()).isEqualTo("authentication_error");
      // every log line is JSON; only the launcher's banner on stdout is not
      for (String line : node.output().split("\n")) {
        if (!line.isBlank() && !line.startsWith("Affinity listening on")) {
          assertThat(JSON.readTree(line).has("time")).as(line).isTrue();
        }
      }
      assertThat(node.output()).doesNotContain(MASTER, "sk-upstream-l1", "sk-wrong-key");
    }
  }
}
