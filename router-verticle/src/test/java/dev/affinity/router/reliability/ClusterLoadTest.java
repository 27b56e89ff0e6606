package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
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
 * The load balance sees is the cluster's: requests one node sends reach the other node's view through the load map
 * (published every second, read locally), without the other node calling anything.
 */
class ClusterLoadTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MASTER = "sk-load-master";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway first;
  private static TestGateway second;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("load-1", "sk-load-1").addAccount("load-2", "sk-load-2")));
    String yaml = "general_settings: {master_key: " + MASTER + "}\n"
        + TestGateway.modelList("claude-sonnet-4-5", emulator.baseUrl(), List.of("load-1", "load-2"));
    String cluster = "affinity-load-" + UUID.randomUUID();
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

  private static long clusterRequests(TestGateway node) throws Exception {
    HttpResponse<String> stats = node.get("/affinity/stats", "x-api-key", MASTER);
    assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    JsonNode models = JSON.readTree(stats.body()).path("models").path("claude-sonnet-4-5");
    return models.path("load-1").path("cluster_load").path("requests_per_minute").asLong()
        + models.path("load-2").path("cluster_load").path("requests_per_minute").asLong();
  }

  @Test
  void requestsSentByOneNodeCountInTheOtherNodesLoad() throws Exception {
    var sessions = new AgentWorkload(77, 1, 3).sessions();
    for (var session : sessions) {
      HttpResponse<String> sent = first.post(AgentWorkload.REQUEST_PATH, new String(session.request(false)),
          "x-api-key", MASTER, "anthropic-version", "2023-06-01");
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    }
    assertThat(clusterRequests(first)).as("the sender counts its own at once").isEqualTo(3);
    long seen = clusterRequests(second);
    for (int attempt = 0; attempt < 250 && seen < 3; attempt++) {
      Thread.sleep(20);
      seen = clusterRequests(second);
    }
    assertThat(seen).as("the other node's view, from the load map").isEqualTo(3);
  }
}
