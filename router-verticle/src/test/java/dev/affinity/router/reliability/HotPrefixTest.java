package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.AccountConfig;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hot prefix: ten sessions of one tenant share tools and a system prompt, so affinity sends them all to one
 * deployment, whose request limit (20 rpm in the emulator) is smaller than their 30 requests. Without spreading
 * ({@code hot_prefix_deployments: 1}) the excess gets 429s until the deployment cools down; with a spread of two the gateway reads the
 * {@code anthropic-ratelimit-*} headers, sends the excess to a second deployment before it hits the limit, and no
 * client sees an error. Retries are off, so what the client sees is what placement alone did.
 */
class HotPrefixTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ACCOUNTS = List.of("hot-1", "hot-2", "hot-3");
  private static final int RPM = 20;

  private static Vertx vertx;
  private static UpstreamEmulator emulator;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EmulatorOptions options = new EmulatorOptions().setLatency(LatencyModel.ZERO);
    ACCOUNTS.forEach(account -> options.addAccount(new AccountConfig(account, "sk-" + account, RPM)));
    emulator = await(UpstreamEmulator.start(vertx, options));
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private record Run(int errors, Map<String, Integer> perDeployment, long cacheReadTokens, long cacheWriteTokens) {
  }

  private static Run run(int spread, long seed) throws Exception {
    emulator.reset();
    String yaml = "router_settings: {num_retries: 0, hot_prefix_deployments: " + spread + "}\n"
        + TestGateway.modelList("claude-sonnet-4-5", emulator.baseUrl(), ACCOUNTS);
    List<Session> sessions = new AgentWorkload(seed, 1, 10).sessions();
    int errors = 0;
    long reads = 0;
    long writes = 0;
    Map<String, Integer> perDeployment = new HashMap<>();
    try (TestGateway gateway = TestGateway.start(yaml)) {
      for (int turn = 0; turn < 3; turn++) {
        for (Session session : sessions) {
          HttpResponse<String> response = gateway.post(AgentWorkload.REQUEST_PATH,
              new String(session.request(false)), "anthropic-version", "2023-06-01");
          String reply = "ok";
          if (response.statusCode() == 200) {
            perDeployment.merge(response.headers().firstValue("x-affinity-deployment").orElseThrow(), 1,
                Integer::sum);
            JsonNode body = JSON.readTree(response.body());
            reads += body.path("usage").path("cache_read_input_tokens").asLong();
            writes += body.path("usage").path("cache_creation_input_tokens").asLong();
            reply = body.path("content").path(0).path("text").asText("ok");
          } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
            errors++;
          }
          session.nextTurn(reply);
        }
      }
    }
    Run run = new Run(errors, perDeployment, reads, writes);
    System.out.println("hot prefix, spread " + spread + ": " + run); // the figures docs/reliability.md quotes
    return run;
  }

  @Test
  void aHotPrefixSpreadsToASecondDeploymentInsteadOfProducing429s() throws Exception {
    Run pinnedOnly = run(1, 31);
    Run spread = run(2, 32);

    // one deployment takes the hot prefix until its limit turns the excess into 429s (three in a row cool it
    // down, allowed_fails, and the prefix is re-pinned: the 429s are what the client saw before that)
    assertThat(pinnedOnly.errors()).as("429s without spreading").isGreaterThanOrEqualTo(3);

    assertThat(spread.errors()).as("spread over two, nobody sees a 429").isZero();
    assertThat(spread.perDeployment()).as("bounded: two deployments, not three").hasSize(2);
    assertThat(spread.cacheReadTokens()).as("most input is still read from a cache").isPositive();
  }
}
