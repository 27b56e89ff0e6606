package dev.affinity.router.reliability;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment's configured {@code rpm} is for the whole cluster: each node takes its share, the limit divided by the
 * cluster's members, so two nodes together send no more than the limit. Shown on a node of a two-node cluster, where
 * its share of {@code rpm: 4} is 2 a minute; past it, round-robin sends the alias's requests to the other deployment.
 */
class RpmShareTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<TestGateway> nodes = new ArrayList<>();
  private UpstreamEmulator emulator;

  @AfterEach
  void stop() throws Exception {
    for (TestGateway node : nodes) {
      node.close();
    }
    if (emulator != null) {
      await(emulator.close());
    }
    await(vertx.close());
  }

  @Test
  void aNodeOfTwoSendsHalfOfADeploymentsRpm() throws Exception {
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().addAccount("limited", "sk-limited")
        .addAccount("open", "sk-open")));
    String config = """
        router_settings: {routing_strategy: round-robin}
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-limited, api_base: "%1$s", rpm: 4}
            model_info: {id: limited}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-open, api_base: "%1$s"}
            model_info: {id: open}
        """.formatted(emulator.baseUrl());
    String cluster = "affinity-rpm-" + UUID.randomUUID();
    nodes.add(TestGateway.start(config, cluster));
    nodes.add(TestGateway.start(config, cluster));
    assertThat(TestGateway.eventually(() -> nodes.get(0).node().clusterMembers().size(), members -> members == 2))
        .as("members the first node sees").isEqualTo(2);

    int limited = 0;
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> response = nodes.get(0).post("/v1/messages", """
          {"model":"claude","max_tokens":8,"messages":[{"role":"user","content":"hi %d"}]}""".formatted(i),
          "anthropic-version", "2023-06-01", "content-type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      if ("limited".equals(response.headers().firstValue("x-affinity-deployment").orElseThrow())) {
        limited++;
      }
    }
    // one node alone would send it 4 of the 8 (its whole rpm, every other request)
    assertThat(limited).as("requests this node sent to the deployment with rpm: 4, in a cluster of two").isEqualTo(2);
  }
}
