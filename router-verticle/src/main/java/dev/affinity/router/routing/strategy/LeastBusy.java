package dev.affinity.router.routing.strategy;

import dev.affinity.model.config.Deployment;

import java.util.List;

/** Picks the deployment with the fewest requests in flight on this node; ties go to the first listed. */
public final class LeastBusy implements UnpinnedStrategy {

  private final InFlight inFlight;

  public LeastBusy(InFlight inFlight) {
    this.inFlight = inFlight;
  }

  @Override
  public Deployment pick(List<Deployment> candidates) {
    Deployment best = candidates.get(0);
    long fewest = inFlight.count(best.id());
    for (int i = 1; i < candidates.size(); i++) {
      long count = inFlight.count(candidates.get(i).id());
      if (count < fewest) {
        best = candidates.get(i);
        fewest = count;
      }
    }
    return best;
  }
}
