package dev.affinity.router.routing;

import dev.affinity.model.GatewayRequest;
import dev.affinity.model.RouteKind;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pin store fails its writes (members unreachable, a migration past its timeout): a request that would claim
 * its prefix is still routed, to a deployment of its alias, unpinned; affinity must not turn a store outage into
 * client errors. Once the store answers again, the next request claims as usual.
 */
class PinStoreOutageTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailedClaimWriteRoutesTheRequestUnpinnedInsteadOfFailingIt() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:1"}
            model_info: {id: a2}
        """, Map.of());
    List<Deployment> deployments = config.deploymentsFor("claude");
    FailingPins pins = new FailingPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "simple-shuffle", context, Duration.ofSeconds(2));
    GatewayRequest request = PolicyRequests.agentTurn(config);
    assertThat(((PromptKeys) request.prepared()).plan().pins()).as("a request that claims").isNotEmpty();

    pins.failing = true;
    Route route = PolicyRequests.routeOn(context, policy, request, deployments);
    assertThat(deployments).contains(route.deployment());
    assertThat(route.warming()).as("nothing written, so nothing warming").isEmpty();
    assertThat(pins.size()).as("no pin was written").isZero();

    pins.failing = false;
    Route next = PolicyRequests.routeOn(context, policy, request, deployments);
    assertThat(next.kind()).as("the store is back: the next request claims").isEqualTo(RouteKind.CLAIMED);
    assertThat(pins.size()).isPositive();
  }

  /** An in-memory store whose writes fail while {@link #failing}; reads answer from what was written. */
  private static final class FailingPins extends ForwardingPins {

    volatile boolean failing;

    @Override
    public CompletionStage<Found> write(Map<Write, Set<String>> writes) {
      return failing ? CompletableFuture.failedFuture(new IllegalStateException("no member answered in time"))
          : applied.write(writes);
    }
  }
}
