package dev.affinity.router.node;

import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A node that cannot start says why, at once. Its start used to answer a failure through a future that Vert.x's own
 * close completed on an event loop it had just ended: the failure never arrived and the caller waited (the command
 * line for its whole two-minute limit, saying nothing), as when two nodes were given one embedded store.
 */
class StartFailureTest {

  @Test
  void aNodeWhosePortIsTakenFailsAndSaysWhy() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        general_settings: {master_key: sk-start-failure-1}
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
        """, Map.of());
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Future<AffinityNode> start = AffinityNode.start(config,
          TestGateway.cluster("start-failure-" + UUID.randomUUID()), "127.0.0.1", taken.getLocalPort(), null);
      // a bound, not a timing claim: the failure arrives or the test reports a hang
      Throwable failure = catchThrowable(() -> start.toCompletionStage().toCompletableFuture()
          .get(90, TimeUnit.SECONDS));
      assertThat(failure).as("the start failed rather than hung").isInstanceOf(ExecutionException.class)
          .isNotInstanceOf(TimeoutException.class);
      assertThat(failure.getCause()).hasMessageContaining("Address already in use");
    }
  }
}
