package dev.affinity.router.observe;

import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} in front of the emulator: the token totals are the upstream's, labels are bounded, no key shows. */
class MetricsTest {

  private static final String MASTER = "sk-metrics-master-key-0123";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static int metricsPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("m1", "sk-upstream-m1").addAccount("m2", "sk-upstream-m2")
        .addAccount("w1", "sk-upstream-w1")));
    metricsPort = TestGateway.freePort();
    gateway = TestGateway.start("""
        general_settings: {master_key: %2$s}
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-upstream-m1, api_base: "%1$s"}
            model_info: {id: m1}
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-upstream-m2, api_base: "%1$s"}
            model_info: {id: m2}
          - model_name: "claude-haiku-*"
            litellm_params: {model: "anthropic/claude-haiku-*", api_key: sk-upstream-w1, api_base: "%1$s"}
            model_info: {id: w1}
        """.formatted(emulator.baseUrl(), MASTER), TestGateway.cluster("test-" + UUID.randomUUID()),
        new AffinityNode.MetricsPort("127.0.0.1", metricsPort));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(emulator.close());
    await(vertx.close());
  }

  private static String request(String model, long seed, String question, boolean stream) {
    return TestGateway.agentRequest(model, seed, question, stream);
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return gateway.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
  }

  private static PrometheusText scrape() throws Exception {
    HttpResponse<String> response = gateway.get("/metrics", "x-api-key", MASTER);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    return PrometheusText.parse(response.body());
  }

  private static long upstream(java.util.function.ToLongFunction<AccountCounters> counter) {
    return emulator.counters().values().stream().mapToLong(counter).sum();
  }

  /** Usage is booked when the call ends, a moment after the client has its answer: waits for the count. */
  private static PrometheusText scrapeOnce(long requests) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    PrometheusText metrics = scrape();
    while (metrics.sum("affinity_requests_total") < requests && System.nanoTime() < deadline) {
      Thread.sleep(20);
      metrics = scrape();
    }
    return metrics;
  }

  @Test
  void tokenTotalsAreWhatTheUpstreamReportedAndTiedToTheRoute() throws Exception {
    double before = scrape().sum("affinity_requests_total");
    emulator.reset();
    for (int turn = 0; turn < 4; turn++) {
      assertThat(post(request("sonnet", 7, "question " + turn, false)).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> streamed = post(request("sonnet", 7, "streamed question", true));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(post(request("sonnet", 8, "another agent", false)).statusCode()).isEqualTo(200);
    PrometheusText metrics = scrapeOnce((long) before + 6);

    long cacheRead = upstream(AccountCounters::cacheReadInputTokens);
    assertThat(cacheRead).as("the emulator served cache reads").isPositive();
    // other tests of this class run before or after: compare what this one added
    assertThat(metrics.sum("affinity_requests_total") - before).isEqualTo(6);
    assertThat(metrics.sum("affinity_tokens_total", Map.of("type", "cache_read")))
        .isEqualTo(cacheRead + readBefore);
    assertThat(metrics.sum("affinity_tokens_total", Map.of("type", "cache_write_5m"))
        + metrics.sum("affinity_tokens_total", Map.of("type", "cache_write_1h")))
        .isEqualTo(upstream(AccountCounters::cacheCreationInputTokens) + writtenBefore);
    assertThat(metrics.sum("affinity_tokens_total", Map.of("type", "input")))
        .isEqualTo(upstream(AccountCounters::inputTokens) + inputBefore);
    assertThat(metrics.sum("affinity_requests_total", Map.of("alias", "sonnet", "route", "pinned", "status", "200")))
        .isGreaterThanOrEqualTo(4);
    assertThat(metrics.sum("affinity_requests_total", Map.of("route", "claimed"))).isGreaterThanOrEqualTo(2);
    assertThat(metrics.sum("affinity_saved_usd_total")).isPositive();
    assertThat(metrics.sum("affinity_cost_usd_total")).isPositive();
    assertThat(metrics.sum("affinity_cost_without_cache_usd_total"))
        .isGreaterThan(metrics.sum("affinity_cost_usd_total"));
    assertThat(metrics.sum("affinity_pinned_miss_total")).isZero();
    assertThat(metrics.sum("affinity_upstream_latency_seconds_count")).isGreaterThanOrEqualTo(6);
    assertThat(metrics.sum("affinity_time_to_first_token_seconds_count")).isGreaterThanOrEqualTo(6);
    assertThat(metrics.sum("affinity_gateway_overhead_seconds_count")).isGreaterThanOrEqualTo(6);
    assertThat(metrics.sum("affinity_routing_decision_seconds_count")).isGreaterThanOrEqualTo(6);
    assertThat(metrics.sum("affinity_pins_held")).isPositive();
    assertThat(metrics.sum("affinity_cluster_members")).isEqualTo(1);
    assertThat(metrics.named("affinity_in_flight")).extracting(sample -> sample.labels().get("deployment"))
        .containsExactlyInAnyOrder("m1", "m2", "w1");
    assertThat(metrics.sum("affinity_cooldown")).isZero();
  }

  // totals this class's other tests added before the emulator's reset, which the comparison above must allow for
  private static double readBefore;
  private static double writtenBefore;
  private static double inputBefore;

  @org.junit.jupiter.api.BeforeEach
  void rememberTotals() throws Exception {
    PrometheusText metrics = scrapeOnce(0);
    readBefore = metrics.sum("affinity_tokens_total", Map.of("type", "cache_read"));
    writtenBefore = metrics.sum("affinity_tokens_total", Map.of("type", "cache_write_5m"))
        + metrics.sum("affinity_tokens_total", Map.of("type", "cache_write_1h"));
    inputBefore = metrics.sum("affinity_tokens_total", Map.of("type", "input"));
  }

  @Test
  void labelsComeFromTheConfigurationNeverFromTheClientAndNoKeyShows() throws Exception {
    String asked = "claude-haiku-4-5-sk-client-chosen-" + UUID.randomUUID();
    assertThat(post(request(asked, 9, "hi", false)).statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = post(request("sk-not-a-model-" + UUID.randomUUID(), 9, "hi", false));
    assertThat(unknown.statusCode()).isEqualTo(404);
    PrometheusText metrics = scrapeOnce(1);
    String text = gateway.get("/metrics", "x-api-key", MASTER).body();
    assertThat(text).doesNotContain(MASTER, "sk-upstream-m1", "sk-upstream-m2", "sk-upstream-w1", asked,
        "sk-not-a-model", "sk-client-chosen");
    // the wildcard deployment's calls are labelled with its configured model_name
    assertThat(metrics.sum("affinity_requests_total", Map.of("alias", "claude-haiku-*", "deployment", "w1")))
        .isGreaterThanOrEqualTo(1);
    assertThat(metrics.samples()).allSatisfy(sample -> {
      assertThat(sample.labels().getOrDefault("alias", "sonnet")).isIn("sonnet", "claude-haiku-*", "other");
      assertThat(sample.labels().getOrDefault("deployment", "m1")).isIn("m1", "m2", "w1", "other");
    });
  }

  @Test
  void metricsAskForTheMasterKeyOnTheApiPort() throws Exception {
    assertThat(gateway.get("/metrics").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/metrics", "x-api-key", "sk-wrong").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/metrics", "authorization", "Bearer " + MASTER).statusCode()).isEqualTo(200);
  }

  @Test
  void theMetricsPortOnLoopbackAnswersWithoutAKeyAndServesNothingElse() throws Exception {
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("affinity_cluster_members");
    HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metricsPort + "/affinity/stats")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void theMetricsPortOffLoopbackAsksForTheMasterKey() {
    assertThat(MetricsVerticle.loopback("127.0.0.1")).isTrue();
    assertThat(MetricsVerticle.loopback("localhost")).isTrue();
    assertThat(MetricsVerticle.loopback("0.0.0.0")).isFalse();
  }
}
