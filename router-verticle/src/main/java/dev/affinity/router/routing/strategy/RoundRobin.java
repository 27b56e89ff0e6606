package dev.affinity.router.routing.strategy;

import dev.affinity.model.config.Deployment;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Takes the candidates in turn (per node; nodes do not coordinate unpinned traffic). */
public final class RoundRobin implements UnpinnedStrategy {

  private final AtomicLong next = new AtomicLong();

  @Override
  public Deployment pick(List<Deployment> candidates) {
    return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
  }
}
