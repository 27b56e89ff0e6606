package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Warm-up coordination: 20 concurrent requests with the same new cacheable prefix, spread over two nodes, make one
 * cache write; the other 19 wait for it to be answered, then read. With {@code warm_up_wait: 0} the same burst writes
 * the prefix many times, which is what the coordination saves.
 */
class WarmUpTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int BURST = 20;
  private static final List<String> ACCOUNTS = List.of("warm-1", "warm-2", "warm-3");

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static final List<TestGateway> cluster = new ArrayList<>();
  private static TestGateway uncoordinated;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EmulatorOptions options = new EmulatorOptions().setLatency(new LatencyModel(400, 0, 0, 0));
    ACCOUNTS.forEach(account -> options.addAccount(account, "sk-" + account));
    emulator = await(UpstreamEmulator.start(vertx, options));
    String name = "affinity-warm-up-" + UUID.randomUUID();
    // balance off: 20 requests in one instant would pass its bounds and open a second owner (issue 13, by design);
    // and a warm-up wait well past the first answer's time even on a slow, loaded machine, as past the wait the others
    // go by design (and write): this test is about the warm-up coordination alone
    String unbounded = "router_settings: {balance_abs_threshold: 1000000, warm_up_wait: 15}\n";
    cluster.add(TestGateway.start(config(unbounded), name));
    cluster.add(TestGateway.start(config(unbounded), name));
    uncoordinated = TestGateway.start(config("router_settings: {warm_up_wait: 0}\n"));
  }

  private static String config(String settings) {
    return settings + TestGateway.modelList("claude-sonnet-4-5", emulator.baseUrl(), ACCOUNTS);
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway node : cluster) {
      node.close();
    }
    uncoordinated.close();
    await(emulator.close());
    await(vertx.close());
  }

  /** What one burst did: responses that wrote the prefix, that read it, and the emulator's own write total. */
  private record Burst(int writers, int readers, long writtenTokens, long oneWrite, Set<String> deployments,
                       List<String> answers) {
  }

  private static Burst burst(List<TestGateway> nodes, long seed) throws Exception {
    emulator.reset();
    byte[] body = new AgentWorkload(seed, 1, 1).sessions().get(0).request(false);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(nodes.get(i % nodes.size()).baseUrl()
              + AgentWorkload.REQUEST_PATH))
          .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int writers = 0;
    int readers = 0;
    long oneWrite = 0;
    Set<String> deployments = new HashSet<>();
    List<String> answers = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> request : sent) {
      HttpResponse<String> response = request.get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      deployments.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      JsonNode usage = JSON.readTree(response.body()).path("usage");
      // what each answer was, for a failure's message: how it was routed, where, and what it read and wrote
      answers.add(response.headers().firstValue("x-affinity-route").orElse("-") + " "
          + response.headers().firstValue("x-affinity-deployment").orElse("-") + " read "
          + usage.path("cache_read_input_tokens").asLong() + " wrote " + usage.path("cache_creation_input_tokens")
          .asLong());
      if (usage.path("cache_creation_input_tokens").asLong() > 0) {
        writers++;
        oneWrite = usage.path("cache_creation_input_tokens").asLong();
      }
      if (usage.path("cache_read_input_tokens").asLong() > 0) {
        readers++;
      }
    }
    long written = 0;
    for (String account : ACCOUNTS) {
      AccountCounters counters = emulator.counters(account);
      written += counters.cacheCreationInputTokens();
    }
    return new Burst(writers, readers, written, oneWrite, deployments, answers);
  }

  @Test
  void twentyConcurrentRequestsForANewPrefixAcrossTheClusterWriteItOnce() throws Exception {
    Burst coordinated = burst(cluster, 8080);
    assertThat(coordinated.deployments()).hasSize(1);
    assertThat(coordinated.writers()).as("responses that wrote the prefix, of " + coordinated.answers())
        .isEqualTo(1);
    assertThat(coordinated.readers()).as("responses that read it").isEqualTo(BURST - 1);
    assertThat(coordinated.writtenTokens()).as("the emulator's cache writes: one prefix, once")
        .isEqualTo(coordinated.oneWrite());
  }

  @Test
  void withoutWaitingTheSameBurstWritesThePrefixManyTimes() throws Exception {
    Burst uncoordinatedBurst = burst(List.of(uncoordinated), 9090);
    assertThat(uncoordinatedBurst.deployments()).as("affinity still agrees on one deployment").hasSize(1);
    assertThat(uncoordinatedBurst.writers()).isGreaterThan(1);
    assertThat(uncoordinatedBurst.writtenTokens()).isGreaterThan(uncoordinatedBurst.oneWrite());
  }
}
