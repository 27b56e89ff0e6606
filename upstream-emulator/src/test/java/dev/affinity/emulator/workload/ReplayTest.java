package dev.affinity.emulator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole CLI loop against a fake Messages API started in the test. */
class ReplayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_KEY = "sk-ant-test-secret";

  @TempDir
  Path dir;

  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private final List<String> answers = Collections.synchronizedList(new ArrayList<>());
  private final List<String> badRequests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger received = new AtomicInteger();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private HttpServer server;
  private ExecutorService serverThreads;

  /** What the fake answers to the n-th request (1-based). */
  private interface Behaviour {
    void answer(HttpExchange exchange, JsonNode request, int n) throws IOException;
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  @Test
  void jsonRepliesAreCountedAndFeedTheNextTurn() throws Exception {
    start(this::answerWithJson);
    Path summaryFile = dir.resolve("nested/affinity.json");

    int status = run("--tenants", "2", "--sessions", "2", "--turns", "3", "--label", "affinity",
        "--summary-out", summaryFile.toString());

    assertThat(status).isEqualTo(0);
    assertThat(badRequests).isEmpty();
    assertThat(received).hasValue(12);
    JsonNode summary = JSON.readTree(summaryFile.toFile());
    assertThat(summary.get("label").asText()).isEqualTo("affinity");
    assertThat(summary.get("requests").asInt()).isEqualTo(12);
    assertThat(summary.get("errors").asInt()).isZero();
    assertThat(summary.get("input_tokens").asLong()).isEqualTo(12 * 10);
    assertThat(summary.get("cache_creation_input_tokens").asLong()).isEqualTo(12 * 100);
    assertThat(summary.get("cache_read_input_tokens").asLong()).isEqualTo(12 * 1000);
    assertThat(summary.get("output_tokens").asLong()).isEqualTo(12 * 20);
    assertThat(summary.get("deployments_per_session").size()).isEqualTo(4);
    assertThat(summary.get("max_deployments_per_session").asInt()).isEqualTo(1);

    // Every answer but those of the last turn comes back in a later request of its session.
    long fedBack = answers.stream().filter(answer -> bodies.stream().anyMatch(body -> body.contains(answer))).count();
    assertThat(fedBack).isEqualTo(12 - 4);

    String printed = out.toString(StandardCharsets.UTF_8);
    List<String> lines = printed.lines().toList();
    assertThat(lines.get(0)).isEqualTo(Exchange.HEADER);
    assertThat(lines.subList(1, 13)).allSatisfy(line -> assertThat(line).contains("dep-t", "pinned", "1000"));
    assertThat(lines.get(1)).startsWith("   1  t1-s1");
    assertThat(lines.get(12)).startsWith("   3  t2-s2");
    assertThat(printed).contains("summary (affinity)", "cache read share", "1 for 4 of 4 sessions (max 1)");
    assertThat(printed + err.toString(StandardCharsets.UTF_8)).doesNotContain(API_KEY);
  }

  @Test
  void streamedUsageTakesTheLastCumulativeMessageDelta() throws Exception {
    start(this::answerWithEvents);
    Path summaryFile = dir.resolve("stream.json");

    int status = run("--tenants", "1", "--sessions", "2", "--turns", "2", "--stream", "--quiet",
        "--summary-out", summaryFile.toString());

    assertThat(status).isEqualTo(0);
    assertThat(badRequests).isEmpty();
    JsonNode summary = JSON.readTree(summaryFile.toFile());
    assertThat(summary.get("errors").asInt()).isZero();
    assertThat(summary.get("output_tokens").asLong()).isEqualTo(4 * 25);
    assertThat(summary.get("cache_read_input_tokens").asLong()).isEqualTo(4 * 1000);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(Exchange.HEADER).contains("summary");
    assertThat(answers).allSatisfy(answer -> assertThat(String.join("", bodies)).contains(answer.substring(0, 5)));
  }

  @Test
  void aFailedRequestIsReportedAndItsSessionRetriesTheSameRequest() throws Exception {
    start((exchange, request, n) -> {
      if (n == 1) {
        respond(exchange, 529, "application/json",
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
      } else {
        answerWithJson(exchange, request, n);
      }
    });
    Path summaryFile = dir.resolve("errors.json");

    int status = run("--tenants", "1", "--sessions", "3", "--turns", "2", "--summary-out", summaryFile.toString());

    assertThat(status).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("HTTP 529 overloaded_error");
    JsonNode summary = JSON.readTree(summaryFile.toFile());
    assertThat(summary.get("requests").asInt()).isEqualTo(6);
    assertThat(summary.get("errors").asInt()).isEqualTo(1);
    assertThat(new HashSet<>(bodies)).hasSize(5);
  }

  @Test
  void exitStatusIsOneWhenEveryRequestFails() throws Exception {
    start((exchange, request, n) -> respond(exchange, 500, "application/json",
        "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}"));

    int status = run("--tenants", "1", "--sessions", "1", "--turns", "2");

    assertThat(status).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("HTTP 500 api_error");
  }

  @Test
  void anUnreachableServerCountsAsFailedRequests() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    int status = Replay.run(new String[] {"--base-url", "http://127.0.0.1:" + closedPort, "--api-key", API_KEY,
        "--model", "sonnet", "--tenants", "1", "--sessions", "1", "--turns", "1"}, print(out), print(err));

    assertThat(status).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("no response connection_error");
  }

  @Test
  void compareReadsSummariesAndMeasuresAgainstTheFirst() throws Exception {
    Path ideal = dir.resolve("ideal.json");
    Path roundRobin = dir.resolve("rr.json");
    Files.writeString(ideal, new ReplaySummary("ideal", 4, 0, new Usage(0, 1_000, 9_000, 0),
        Map.of("t1-s1", 1)).toJson().toString());
    Files.writeString(roundRobin, new ReplaySummary("", 4, 0, new Usage(0, 2_000, 8_000, 0),
        Map.of("t1-s1", 2)).toJson().toString());

    int status = Replay.run(new String[] {"--compare", ideal.toString(), roundRobin.toString()}, print(out),
        print(err));

    assertThat(status).isEqualTo(0);
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("ideal", "rr.json", "90.0%", "80.0%");
    // Costs: ideal 1000 x 3.75 + 9000 x 0.30 = 6450, the other 2000 x 3.75 + 8000 x 0.30 = 9900 per million tokens.
    assertThat(printed).contains("rr.json       efficiency vs ideal: 88.9% of cache reads, cost +53.5%");
  }

  @Test
  void badArgumentsPrintUsageAndExitTwo() {
    assertThat(Replay.run(new String[] {"--turns", "x"}, print(out), print(err))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--turns", "usage: Replay");
    assertThat(Replay.run(new String[] {"--compare", dir.resolve("missing.json").toString()}, print(out),
        print(err))).isEqualTo(2);
    assertThat(Replay.run(new String[] {"--help"}, print(out), print(err))).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: Replay");
  }

  private int run(String... extra) {
    List<String> args = new ArrayList<>(List.of("--base-url", "http://127.0.0.1:" + server.getAddress().getPort(),
        "--api-key", API_KEY, "--model", "team-sonnet"));
    args.addAll(List.of(extra));
    return Replay.run(args.toArray(String[]::new), print(out), print(err));
  }

  private void start(Behaviour behaviour) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newFixedThreadPool(4);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int n = received.incrementAndGet();
        bodies.add(body);
        JsonNode request = JSON.readTree(body);
        checkAgentRequest(exchange, request);
        behaviour.answer(exchange, request, n);
      } catch (RuntimeException e) {
        badRequests.add(e.toString());
        throw e;
      }
    });
    server.start();
  }

  private void checkAgentRequest(HttpExchange exchange, JsonNode request) {
    String problem = null;
    if (!"/v1/messages".equals(exchange.getRequestURI().getPath())
        || !"beta=true".equals(exchange.getRequestURI().getQuery())) {
      problem = "path " + exchange.getRequestURI();
    } else if (!API_KEY.equals(exchange.getRequestHeaders().getFirst("x-api-key"))) {
      problem = "missing x-api-key";
    } else if (exchange.getRequestHeaders().getFirst("anthropic-version") == null) {
      problem = "missing anthropic-version";
    } else if (!"team-sonnet".equals(request.path("model").asText())) {
      problem = "model " + request.path("model");
    }
    if (problem != null) {
      badRequests.add(problem);
    }
  }

  /** One deployment per tenant (system block 3 is the tenant's), gzip when the client accepts it. */
  private void answerWithJson(HttpExchange exchange, JsonNode request, int n) throws IOException {
    String answer = answer(n);
    exchange.getResponseHeaders().add("x-affinity-deployment", deploymentOf(request));
    exchange.getResponseHeaders().add("x-affinity-route", "pinned");
    String json = "{\"id\":\"msg_" + n + "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
        + "\"text\":\"" + answer + "\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":10,"
        + "\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000,\"output_tokens\":20}}";
    String acceptEncoding = exchange.getRequestHeaders().getFirst("accept-encoding");
    if (acceptEncoding != null && acceptEncoding.contains("gzip")) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
        gzip.write(json.getBytes(StandardCharsets.UTF_8));
      }
      exchange.getResponseHeaders().add("content-encoding", "gzip");
      respond(exchange, 200, "application/json", zipped.toByteArray());
    } else {
      respond(exchange, 200, "application/json", json);
    }
  }

  private void answerWithEvents(HttpExchange exchange, JsonNode request, int n) throws IOException {
    if (!request.path("stream").asBoolean()) {
      badRequests.add("stream flag missing");
    }
    String answer = answer(n);
    exchange.getResponseHeaders().add("x-affinity-deployment", deploymentOf(request));
    String events = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg","usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{},"usage":{"output_tokens":20}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":25}}

        event: message_stop
        data: {"type":"message_stop"}

        """.formatted(answer.substring(0, 5), answer.substring(5));
    respond(exchange, 200, "text/event-stream", events);
  }

  private String answer(int n) {
    String answer = "Answer number " + n + " from the fake.";
    answers.add(answer);
    return answer;
  }

  private static String deploymentOf(JsonNode request) {
    return "dep-t" + Math.abs(request.path("system").path(2).path("text").asText().hashCode() % 1000);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("content-type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream response = exchange.getResponseBody()) {
      response.write(body);
    }
  }

  private static PrintStream print(ByteArrayOutputStream target) {
    return new PrintStream(target, true, StandardCharsets.UTF_8);
  }
}
