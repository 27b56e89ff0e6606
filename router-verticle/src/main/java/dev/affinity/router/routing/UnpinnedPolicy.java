package dev.affinity.router.routing;

import dev.affinity.model.GatewayRequest;
import dev.affinity.model.RouteKind;
import dev.affinity.model.config.Deployment;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Future;

import java.util.List;

/** Routing by the configured strategy alone, with no regard for caches (affinity switched off). */
public final class UnpinnedPolicy implements RoutingPolicy {

  private final UnpinnedStrategy strategy;
  private final Eligibility eligibility;

  public UnpinnedPolicy(UnpinnedStrategy strategy, Eligibility eligibility) {
    this.strategy = strategy;
    this.eligibility = eligibility;
  }

  @Override
  public Future<Route> failover(GatewayRequest request, Route failed, List<Deployment> others) {
    return Future.succeededFuture(failed.movedTo(strategy.pick(eligibility.withHeadroom(eligibility.healthy(others))),
        RouteKind.RETRIED));
  }

  @Override
  public Future<Route> route(GatewayRequest request, List<Deployment> candidates) {
    return Future.succeededFuture(new Route(strategy.pick(
        eligibility.withHeadroom(eligibility.healthy(candidates))), RouteKind.UNPINNED));
  }
}
