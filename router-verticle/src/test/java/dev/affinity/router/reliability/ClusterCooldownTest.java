package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
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
import java.util.List;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment cooled by one node is cooled on every node: a session pinned to it moves elsewhere on another node
 * without that node ever calling the failing deployment. Uses {@code allowed_fails} and {@code cooldown_time}.
 */
class ClusterCooldownTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MASTER = "sk-cooldown-master";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway first;
  private static TestGateway second;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("cool-1", "sk-cool-1").addAccount("cool-2", "sk-cool-2")));
    String yaml = "general_settings: {master_key: " + MASTER + "}\n"
        + "router_settings: {num_retries: 0, allowed_fails: 1, cooldown_time: 60}\n"
        + TestGateway.modelList("claude-sonnet-4-5", emulator.baseUrl(), List.of("cool-1", "cool-2"));
    String cluster = "affinity-cooldown-" + UUID.randomUUID();
    first = TestGateway.start(yaml, cluster);
    second = TestGateway.start(yaml, cluster);
    assertThat(second.node().clusterMembers()).hasSize(2);
  }

  @AfterAll
  static void stop() throws Exception {
    first.close();
    second.close();
    await(emulator.close());
    await(vertx.close());
  }

  private static HttpResponse<String> send(TestGateway node, Session session) throws Exception {
    return node.post(AgentWorkload.REQUEST_PATH, new String(session.request(false)), "x-api-key", MASTER,
        "anthropic-version", "2023-06-01");
  }

  /** What {@code GET /affinity/stats} of {@code node} says about one deployment of the alias. */
  private static JsonNode stats(TestGateway node, String deploymentId) throws Exception {
    HttpResponse<String> stats = node.get("/affinity/stats", "x-api-key", MASTER);
    assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    return JSON.readTree(stats.body()).path("models").path("claude-sonnet-4-5").path(deploymentId);
  }

  @Test
  void aCooldownDecidedOnOneNodeMovesPinnedTrafficOnAnother() throws Exception {
    Session session = new AgentWorkload(5150, 1, 1).sessions().get(0);
    HttpResponse<String> opening = send(first, session);
    assertThat(opening.statusCode()).as(opening.body()).isEqualTo(200);
    String pinned = opening.headers().firstValue("x-affinity-deployment").orElseThrow();
    String other = pinned.equals("cool-1") ? "cool-2" : "cool-1";
    session.nextTurn(JSON.readTree(opening.body()).path("content").path(0).path("text").asText("ok"));

    // the pinned deployment fails twice for the first node only: one more than allowed_fails: 1
    emulator.injectFault(Fault.status(500).times(2).forAccount(pinned));
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> failed = send(first, session);
      assertThat(failed.statusCode()).as("no retries: the failure is relayed").isEqualTo(500);
      assertThat(failed.headers().firstValue("x-affinity-deployment")).hasValue(pinned);
    }
    long callsBefore = emulator.counters(pinned).requests() + emulator.counters(pinned).errors();

    // the second node never saw a failure, yet learns of the cooldown (it travels as a cluster event) ...
    JsonNode seenBySecond = stats(second, pinned);
    for (int attempt = 0; attempt < 250 && seenBySecond.path("healthy").asBoolean(true); attempt++) {
      Thread.sleep(20);
      seenBySecond = stats(second, pinned);
    }
    assertThat(seenBySecond.path("healthy").asBoolean(true)).as("cooled on the second node").isFalse();
    assertThat(seenBySecond.path("requests").asLong()).as("the second node never called it").isZero();
    assertThat(seenBySecond.path("cooldown_ends_at").asText()).isNotEmpty();

    // ... and moves the session off the cooled deployment on its first request
    HttpResponse<String> moved = send(second, session);
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(moved.headers().firstValue("x-affinity-deployment")).hasValue(other);
    assertThat(moved.headers().firstValue("x-affinity-route")).hasValue("repinned");

    // and so does the first node: the pin now names the healthy deployment everywhere
    HttpResponse<String> again = send(first, session);
    assertThat(again.headers().firstValue("x-affinity-deployment")).hasValue(other);
    assertThat(again.headers().firstValue("x-affinity-route")).hasValue("pinned");
    assertThat(emulator.counters(pinned).requests() + emulator.counters(pinned).errors())
        .as("nobody called the cooled deployment again").isLessThanOrEqualTo(callsBefore);
  }
}
