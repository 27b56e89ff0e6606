package dev.affinity.router.routing;

import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.node.RoutingLoop;
import dev.affinity.router.observe.GatewayMetrics;
import dev.affinity.router.pins.PinStore;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One event loop's routing stack as a node deploys it, with a provider the test gives: for the router's tests. */
final class RouterStack {

  private RouterStack() {
  }

  /**
   * Deploys the node's shared routing ({@link NodeRouting}) and one loop with {@code provider} (the "anthropic"
   * registration's verticle) and a {@link RoutingVerticle}, which it returns.
   *
   * @param pins the pin store, or null to route without affinity
   */
  static <P extends VerticleBase & UpstreamCalls> NodeRouter deploy(Vertx vertx, GatewayConfig config, PinStore pins,
                                                                    P provider) throws Exception {
    NodeState node = new NodeState(100);
    node.metrics(new GatewayMetrics(config));
    NodeRouting shared = new NodeRouting(config, node, pins, null, () -> 1, Tenants.NONE);
    vertx.deployVerticle(shared).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    RoutingVerticle router = new RoutingVerticle(shared, Map.of("anthropic", provider));
    vertx.deployVerticle(new RoutingLoop(List.of(provider, router))).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return router;
  }
}
