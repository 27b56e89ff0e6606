package dev.affinity.router.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.TestGateway;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Two nodes started with the same cluster settings form one cluster. */
class TwoNodeClusterTest {

  private static final String CONFIG = """
      model_list:
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-not-used, api_base: "http://127.0.0.1:9"}
      """;

  @Test
  void twoNodesSeeEachOtherAsMembers() throws Exception {
    String cluster = "two-nodes-" + UUID.randomUUID();
    try (TestGateway first = TestGateway.start(CONFIG, cluster);
         TestGateway second = TestGateway.start(CONFIG, cluster)) {
      assertThat(first.node().clusterMembers()).hasSize(2).contains(first.node().nodeId(), second.node().nodeId());
      assertThat(second.node().clusterMembers()).hasSize(2).contains(first.node().nodeId());
      assertThat(new ObjectMapper().readTree(second.get("/health/readiness").body()).path("cluster_members").asInt())
          .isEqualTo(2);
    }
  }
}
