package dev.affinity.router.routing;

import dev.affinity.model.config.Deployment;

import java.util.List;
import java.util.function.IntSupplier;

/**
 * Which deployments of an alias may take a request now: healthy ones (not cooling down, cluster-wide), and among
 * them those with rate-limit headroom. Never empty-handed: when none qualifies, all of them are returned, because
 * trying beats refusing.
 */
public final class Eligibility {

  private final DeploymentHealth health;
  private final RateLimitHeadroom headroom;
  private final IntSupplier members;

  public Eligibility(DeploymentHealth health, RateLimitHeadroom headroom, IntSupplier members) {
    this.health = health;
    this.headroom = headroom;
    this.members = members;
  }

  /** Deployments that are not cooling down (all of them when every one is). */
  public List<Deployment> healthy(List<Deployment> candidates) {
    List<Deployment> healthy = candidates.stream().filter(d -> health.healthy(d.id())).toList();
    return healthy.isEmpty() ? candidates : healthy;
  }

  public boolean hasHeadroom(Deployment deployment) {
    return headroom.has(deployment.id(), deployment.rpm(), deployment.tpm(), members.getAsInt());
  }

  /** Deployments with rate-limit headroom (all of them when none has). */
  public List<Deployment> withHeadroom(List<Deployment> candidates) {
    List<Deployment> open = candidates.stream().filter(this::hasHeadroom).toList();
    return open.isEmpty() ? candidates : open;
  }
}
