package dev.affinity.router.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a prefix goes when the deployment it is pinned to has no rate-limit headroom: to a second deployment, and at
 * most to {@code k} in all, so a hot prefix costs at most {@code k} cache writes instead of a 429 per excess
 * request. The other deployments are ranked by rendezvous hashing of (prefix key, scope), so every node spills the
 * same prefix to the same place without talking, and different hot prefixes spill to different places.
 */
public final class HotPrefixSpread {

  private HotPrefixSpread() {
  }

  /** The scopes {@code key} may use: {@code home} first, then the others by rank; at most {@code k}. */
  public static List<String> order(String key, String home, Collection<String> scopes, int k) {
    List<String> others = new ArrayList<>();
    for (String scope : scopes) {
      if (!scope.equals(home) && !others.contains(scope)) {
        others.add(scope);
      }
    }
    others.sort(Comparator.comparingLong((String scope) -> Rendezvous.rank(key, scope)).reversed()
        .thenComparing(Comparator.naturalOrder()));
    List<String> order = new ArrayList<>(Math.min(k, others.size() + 1));
    order.add(home);
    for (int i = 0; i < others.size() && order.size() < k; i++) {
      order.add(others.get(i));
    }
    return order;
  }

  /**
   * The first scope after {@code home} in {@link #order} that has headroom; empty when none does (the request then
   * stays at home, and a 429 there is retried as usual).
   */
  public static Optional<String> spillTo(String key, String home, Collection<String> scopes, int k,
                                         Predicate<String> hasHeadroom) {
    return order(key, home, scopes, k).stream().skip(1).filter(hasHeadroom).findFirst();
  }
}
