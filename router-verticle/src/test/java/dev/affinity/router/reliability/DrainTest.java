package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.GatewayProcess;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM drains a node running as its own process: readiness turns 503, new requests are refused in the API's
 * shape, the stream in flight finishes whole, then the node leaves the cluster (the other member sees it go) and
 * the process exits 0 before the drain timeout.
 */
class DrainTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int DRAIN_TIMEOUT_SECONDS = 20;

  private static Vertx vertx;
  private static HoldingUpstream upstream;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = await(HoldingUpstream.start(vertx));
  }

  @AfterEach
  void releaseHeldStreams() {
    upstream.release();
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.release();
    await(upstream.close());
    await(vertx.close());
  }

  @Test
  @Timeout(180)
  void sigtermLetsTheStreamInFlightFinishRefusesNewRequestsAndLeavesTheClusterCleanly(@TempDir Path dir)
      throws Exception {
    String yaml = """
        general_settings: {drain_timeout: %d}
        model_list:
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
        """.formatted(DRAIN_TIMEOUT_SECONDS, upstream.baseUrl());
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, yaml);
    String cluster = "drain-" + UUID.randomUUID();
    int clusterPort = GatewayProcess.freeClusterPorts(2);
    try (TestGateway observer = TestGateway.start(yaml, new ClusterSettings(null,
        "127.0.0.1:" + clusterPort + ",127.0.0.1:" + (clusterPort + 1), clusterPort, "127.0.0.1", cluster));
         GatewayProcess node = GatewayProcess.start(config, cluster, clusterPort, 2)) {
      node.awaitListening(Duration.ofSeconds(120));
      awaitMembers(observer, 2);

      CompletableFuture<HttpResponse<InputStream>> stream = HTTP.sendAsync(post(node, "/v1/messages",
          "{\"model\":\"held\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      for (int i = 0; i < 600 && upstream.holding() < 1; i++) {
        Thread.sleep(50);
      }
      assertThat(upstream.holding()).isEqualTo(1);

      node.process().destroy(); // SIGTERM

      HttpResponse<String> readiness = awaitDraining(node);
      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(readiness.body()).path("requests_in_flight").asInt()).isEqualTo(1);

      HttpResponse<String> refused = HTTP.send(post(node, "/v1/messages",
          "{\"model\":\"held\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"late\"}]}"),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(529);
      assertThat(JSON.readTree(refused.body()).path("error").path("type").asText()).isEqualTo("overloaded_error");
      assertThat(refused.headers().firstValue("connection")).hasValue("close");
      HttpResponse<String> refusedOpenAi = HTTP.send(post(node, "/v1/chat/completions",
          "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"late\"}]}"),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refusedOpenAi.statusCode()).as(refusedOpenAi.body()).isEqualTo(503);
      JsonNode openAiError = JSON.readTree(refusedOpenAi.body()).path("error");
      assertThat(openAiError.path("type").asText()).isEqualTo("server_error");
      assertThat(openAiError.path("code").asText()).isEqualTo("overloaded");
      assertThat(node.process().isAlive()).as("still draining the stream in flight").isTrue();

      upstream.release();
      try (InputStream body = stream.get().body()) {
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8))
            .contains("event: message_start").contains("\"text\":\"finally\"")
            .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
      }
      assertThat(node.awaitExit(Duration.ofSeconds(DRAIN_TIMEOUT_SECONDS + 30)))
          .as("exited; output:\n%s", node.output()).isTrue();
      assertThat(node.process().exitValue()).as(node.output()).isZero();
      assertThat(node.output()).contains("Affinity draining: 1 request(s) in flight")
          .contains("Affinity stopped: every request finished");
      // drain messages are log lines like the rest: UTC time, level, logger
      assertThat(node.output()).containsPattern(
          "(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO +\\S+ Affinity draining: ")
          .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+Z INFO +\\S+ Affinity stopped: ");
      // the requests refused while draining are logged, with their reason (refused before the body, so no model)
      assertThat(node.output()).containsPattern(
          "affinity\\.access request=req_\\w+ client=127\\.0\\.0\\.1 method=POST path=/v1/messages status=529"
              + " duration_ms=\\d+ (key=\\S+ )?(team=\\S+ )?error=overloaded_error reason=\"this gateway node is shutting down");
      awaitMembers(observer, 1);
    }
  }

  @Test
  @Timeout(120)
  void aDrainTimeoutCutsOffWhatIsStillRunning() throws Exception {
    TestGateway gateway = TestGateway.start("""
        model_list:
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
        """.formatted(upstream.baseUrl()));
    try {
      int heldBefore = upstream.holding();
      CompletableFuture<HttpResponse<String>> stream = HTTP.sendAsync(HttpRequest.newBuilder(
              URI.create(gateway.baseUrl() + "/v1/messages")).timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"held\",\"max_tokens\":10,\"stream\":true,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"never ends\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < 600 && upstream.holding() <= heldBefore; i++) {
        Thread.sleep(50);
      }
      assertThat(gateway.node().state().inFlight()).isEqualTo(1);

      // the stream never ends: the drain gives up after its timeout, says how many it cut off, and closes
      assertThat(await(gateway.node().drain(Duration.ofMillis(500)))).isEqualTo(1);
      // cut off: either the connection closes mid-stream, or (when the upstream side closes first) the stream
      // ends with an error event; never a normal end, since the upstream never finishes
      try {
        HttpResponse<String> ended = stream.get(30, TimeUnit.SECONDS);
        assertThat(ended.body()).contains("event: error").doesNotContain("message_stop");
      } catch (ExecutionException connectionClosed) {
        assertThat(connectionClosed.getCause()).isInstanceOf(java.io.IOException.class);
      }
    } finally {
      gateway.close();
    }
  }

  private static HttpRequest post(GatewayProcess node, String path, String body) {
    return HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static HttpResponse<String> awaitDraining(GatewayProcess node) throws Exception {
    HttpRequest readiness = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/readiness"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> answer = HTTP.send(readiness, HttpResponse.BodyHandlers.ofString());
    for (int i = 0; i < 200 && !answer.body().contains("draining"); i++) {
      Thread.sleep(50);
      answer = HTTP.send(readiness, HttpResponse.BodyHandlers.ofString());
    }
    assertThat(JSON.readTree(answer.body()).path("status").asText()).as(answer.body()).isEqualTo("draining");
    return answer;
  }

  private static void awaitMembers(TestGateway observer, int members) throws InterruptedException {
    for (int i = 0; i < 600 && observer.node().clusterMembers().size() != members; i++) {
      Thread.sleep(100);
    }
    assertThat(observer.node().clusterMembers()).hasSize(members);
  }
}
