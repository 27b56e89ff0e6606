package dev.affinity.router.reliability;

import dev.affinity.router.GatewayProcess;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 9: an idle node told to stop hung in most stops (a periodic timer cancelled from its first run,
 * before Vert.x had stored its handle). Every stop must end, idle or busy, and a second signal ends the waiting.
 */
class RepeatedStopTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(300)
  void anIdleNodeDrainsAndClosesEveryTime() throws Exception {
    for (int i = 0; i < 12; i++) {
      TestGateway gateway = TestGateway.start("""
          model_list:
            - model_name: m
              litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "http://127.0.0.1:9"}
          """);
      // no request in flight: the drain's first poll already finds nothing to wait for
      Integer cut = gateway.node().drain(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(cut).as("stop %d", i).isZero();
    }
  }

  @Test
  @Timeout(400)
  void sigtermEndsAnIdleProcessEveryTimeAndASecondSignalEndsABusyOneAtOnce(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    HoldingUpstream upstream = await(HoldingUpstream.start(vertx));
    try {
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, """
          general_settings: {drain_timeout: 300}
          model_list:
            - model_name: held
              litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
          """.formatted(upstream.baseUrl()));
      for (int i = 0; i < 4; i++) {
        try (GatewayProcess node = GatewayProcess.start(config, "stop-" + UUID.randomUUID(),
            GatewayProcess.freeClusterPorts(1), 1)) {
          node.awaitListening(Duration.ofSeconds(120));
          node.process().destroy(); // SIGTERM, nothing in flight
          assertThat(node.awaitExit(Duration.ofSeconds(30))).as("idle stop %d exited:\n%s", i, node.output())
              .isTrue();
          assertThat(node.process().exitValue()).as(node.output()).isZero();
        }
      }
      try (GatewayProcess node = GatewayProcess.start(config, "stop-" + UUID.randomUUID(),
          GatewayProcess.freeClusterPorts(1), 1)) {
        node.awaitListening(Duration.ofSeconds(120));
        CompletableFuture<HttpResponse<String>> stream = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(node.baseUrl() + "/v1/messages")).timeout(Duration.ofSeconds(120))
            .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"held\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"never ends\"}]}")).build(),
            HttpResponse.BodyHandlers.ofString());
        for (int i = 0; i < 600 && upstream.holding() < 1; i++) {
          Thread.sleep(50);
        }
        assertThat(upstream.holding()).isEqualTo(1);
        node.process().destroy();
        for (int i = 0; i < 200 && !node.output().contains("Affinity draining"); i++) {
          Thread.sleep(50);
        }
        HttpResponse<String> readiness = HTTP.send(HttpRequest.newBuilder(
            URI.create(node.baseUrl() + "/health/readiness")).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
        assertThat(node.process().isAlive()).as("waits for the stream, drain_timeout is 300 s").isTrue();
        node.process().destroy(); // the second signal: the 300 s drain timeout must not be waited out
        assertThat(node.awaitExit(Duration.ofSeconds(60))).as("second signal ended it:\n%s", node.output())
            .isTrue();
        assertThat(node.output()).contains("second signal");
        stream.handle((answer, failure) -> null).get(30, TimeUnit.SECONDS);
      }
    } finally {
      upstream.release();
      await(upstream.close());
      await(vertx.close());
    }
  }
}
