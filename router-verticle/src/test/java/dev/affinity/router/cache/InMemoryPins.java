package dev.affinity.router.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pin map of one node without Hazelcast, used as the routing policy uses the real one: look the keys up, decide,
 * then apply the decision's writes (claims write if absent, replacements compare-and-set). TTLs are not modelled.
 */
final class InMemoryPins {

  final Map<String, String> entries = new HashMap<>();

  Map<String, String> getAll(List<String> keys) {
    Map<String, String> found = new HashMap<>();
    keys.forEach(key -> {
      if (entries.containsKey(key)) {
        found.put(key, entries.get(key));
      }
    });
    return found;
  }

  /** Applies a decision's writes and returns the deployment the request goes to once its claims are settled. */
  String apply(AffinityDecision decision) {
    Map<String, String> owners = new HashMap<>();
    for (AffinityDecision.Claim claim : decision.claims()) {
      String previous = entries.putIfAbsent(claim.key(), decision.deploymentId());
      owners.put(claim.key(), previous == null ? decision.deploymentId() : previous);
    }
    for (AffinityDecision.Replacement replacement : decision.replacements()) {
      entries.replace(replacement.key(), replacement.staleDeploymentId(), decision.deploymentId());
      owners.put(replacement.key(), entries.get(replacement.key()));
    }
    return decision.afterClaim(owners);
  }
}
