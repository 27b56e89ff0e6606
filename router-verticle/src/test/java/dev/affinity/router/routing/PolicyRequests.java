package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.pins.PinStore;
import dev.affinity.router.routing.strategy.InFlight;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Messages requests for the alias {@code claude}, prepared as the ingress prepares them, and routed as the router does. */
final class PolicyRequests {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PolicyRequests() {
  }

  /** An agent's turn (the workload's fixture), with the keys the ingress computes. */
  static GatewayRequest agentTurn(GatewayConfig config) throws Exception {
    return prepared(config, "req_1", AgentWorkload.agentRequestFixture(42));
  }

  /** {@code body} as request {@code id}, with the keys the ingress computes. */
  static GatewayRequest prepared(GatewayConfig config, String id, byte[] body) throws Exception {
    GatewayRequest request = new GatewayRequest(id, Operation.MESSAGES, "claude", false, "default", Map.of(),
        null, Buffer.buffer(body), JSON.readTree(body));
    return request.withPrepared(PromptKeys.prepare(config, request));
  }

  /**
   * Cache affinity over {@code pins} on {@code context}, with {@code strategy} for unpinned requests, health and
   * rate-limit headroom as a node of one sees them, warm-up wait {@code warmUp} and a spread of 2.
   */
  static CacheAffinityPolicy policy(PinStore pins, String strategy, Context context, Duration warmUp) {
    return new CacheAffinityPolicy(pins, UnpinnedStrategy.named(strategy, new InFlight()),
        new Eligibility(new DeploymentHealth(3, 5_000, System::currentTimeMillis),
            new RateLimitHeadroom(System::currentTimeMillis), () -> 1), context, warmUp, 2);
  }

  /** The policy's route for {@code request}, decided on {@code context} as the router's loop decides it. */
  static Route routeOn(Context context, CacheAffinityPolicy policy, GatewayRequest request,
                       List<Deployment> deployments) throws Exception {
    return routingOn(context, policy, request, deployments).get(10, TimeUnit.SECONDS);
  }

  /** As {@link #routeOn}, without waiting: several such decisions can be in flight on the loop at once. */
  static CompletableFuture<Route> routingOn(Context context, CacheAffinityPolicy policy, GatewayRequest request,
                                            List<Deployment> deployments) {
    CompletableFuture<Route> route = new CompletableFuture<>();
    context.runOnContext(go -> policy.route(request, deployments).onComplete(done -> {
      if (done.succeeded()) {
        route.complete(done.result());
      } else {
        route.completeExceptionally(done.cause());
      }
    }));
    return route;
  }
}
