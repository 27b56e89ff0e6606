package dev.affinity.router.routing;

import dev.affinity.model.config.Deployment;

import java.util.List;
import java.util.Objects;

/**
 * LiteLLM's {@code order}: when any of the deployments that may take a request has an order, only those of the lowest
 * order do. Applied to the healthy deployments not yet tried, so a higher order takes over while every lower one is
 * cooling down, full, or has failed this request.
 */
final class DeploymentOrder {

  private DeploymentOrder() {
  }

  static List<Deployment> first(List<Deployment> deployments) {
    Integer lowest = deployments.stream().map(d -> d.calls().order()).filter(Objects::nonNull)
        .min(Integer::compare).orElse(null);
    return lowest == null ? deployments
        : deployments.stream().filter(d -> lowest.equals(d.calls().order())).toList();
  }
}
