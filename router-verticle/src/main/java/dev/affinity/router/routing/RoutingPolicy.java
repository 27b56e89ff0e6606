package dev.affinity.router.routing;

import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.Deployment;
import io.vertx.core.Future;

import java.util.List;

/** Chooses the deployment for a request among the alias's deployments. Must not block the calling event loop. */
public interface RoutingPolicy {

  Future<Route> route(GatewayRequest request, List<Deployment> candidates);

  /**
   * Where a request goes after its deployment failed before the first byte reached the client: one of
   * {@code others} (deployments of the alias not tried yet, never empty). By default, the strategy's choice.
   */
  Future<Route> failover(GatewayRequest request, Route failed, List<Deployment> others);

  /**
   * The deployment of {@code route} has given the request's final answer (a status and headers, or a failure, that
   * is not retried): its prompt is processed, or will not be by this request.
   */
  default void answered(Route route) {
  }

  /**
   * The request of {@code route} ends without its deployment having processed the prompt: its final answer is an
   * error, or it was never sent. By default as {@link #answered}.
   */
  default void notCached(Route route) {
    answered(route);
  }
}
