package dev.affinity.router.routing.strategy;

import dev.affinity.model.config.Deployment;

import java.util.List;
import java.util.Locale;

/**
 * How a deployment is picked when no cached prefix decides it (LiteLLM's {@code routing_strategy}). Each strategy
 * lives in its own file behind this interface; the choice must be cheap and must not block.
 */
public interface UnpinnedStrategy {

  /** Picks one of {@code candidates} (never empty). */
  Deployment pick(List<Deployment> candidates);

  /** The strategy configured under {@code router_settings.routing_strategy}. */
  static UnpinnedStrategy named(String name, InFlight inFlight) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "simple-shuffle" -> new SimpleShuffle();
      case "round-robin" -> new RoundRobin();
      case "least-busy" -> new LeastBusy(inFlight);
      default -> throw new IllegalArgumentException("unknown routing strategy: " + name);
    };
  }
}
