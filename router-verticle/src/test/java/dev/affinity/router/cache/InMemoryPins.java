package dev.affinity.router.cache;

import dev.affinity.router.pins.InMemoryPinStore;

import java.util.List;
import java.util.Map;

/**
 * The pins of one node in the in-memory {@link InMemoryPinStore}, used as the routing policy uses a pin store: read
 * the keys, decide, then apply the decision's writes (claims write if absent, replacements compare-and-set), and
 * follow the owners the writes answer with.
 */
final class InMemoryPins {

  final InMemoryPinStore store = new InMemoryPinStore();

  Map<String, String> getAll(List<String> keys) {
    return store.read(keys).owners();
  }

  /** Applies a decision's writes and returns the deployment the request goes to once its claims are settled. */
  String apply(AffinityDecision decision) {
    Map<String, String> owners = store.apply(decision, 0).toCompletableFuture().join().owners();
    return decision.afterClaim(owners);
  }

  /** Key → deployment of every pin. */
  Map<String, String> entries() {
    return store.owners();
  }
}
