package dev.affinity.router.routing;

import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.Deployment;
import io.vertx.core.Future;

import java.util.List;

/** Chooses the deployment for a request among the alias's deployments. Must not block the calling event loop. */
public interface RoutingPolicy {

  Future<Route> route(GatewayRequest request, List<Deployment> candidates);

  /** The deployment of {@code route} has answered (a status and headers, or a failure): its prompt is processed. */
  default void answered(Route route) {
  }
}
