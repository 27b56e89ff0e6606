package dev.affinity.router.cache;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a cache scope is within the balance bounds, SGLang's cache-aware rule: a scope is out of bounds when its
 * load exceeds the least-loaded open scope's by more than {@code absolute} <em>and</em> is more than
 * {@code relative} times it. New sessions follow a shared prefix only to owners within bounds; otherwise they open a
 * new owner on the least-loaded scope (see {@link AffinityDecision}). Load is requests started in the last minute,
 * cluster-wide. Pure.
 */
public final class Balance {

  /**
   * @param absolute requests per minute a scope may be ahead of the least-loaded one, whatever the ratio
   * @param relative how many times the least-loaded one's load a scope may carry, whatever the difference
   */
  public record Bounds(long absolute, double relative) {
    public Bounds {
      if (absolute < 0 || !(relative >= 1)) {
        throw new IllegalArgumentException("absolute must be >= 0 and relative >= 1");
      }
    }
  }

  private final Map<String, Long> loads;
  private final Bounds bounds;
  private final long least;

  /**
   * @param loads scope → its load; a scope absent has none
   * @param open  the scopes that may take the request (eligible, with headroom): the least-loaded is among them
   */
  public Balance(Map<String, Long> loads, Collection<String> open, Bounds bounds) {
    this.loads = Map.copyOf(loads);
    this.bounds = Objects.requireNonNull(bounds, "bounds");
    this.least = open.stream().mapToLong(this::load).min().orElse(0);
  }

  public long load(String scope) {
    return loads.getOrDefault(scope, 0L);
  }

  public boolean within(String scope) {
    long load = load(scope);
    return load - least <= bounds.absolute() || load <= bounds.relative() * least;
  }

  /** The least-loaded of {@code scopes}; ties go to the first by name, so every node picks alike on equal loads. */
  public String leastLoaded(Collection<String> scopes) {
    return scopes.stream().min(Comparator.comparingLong(this::load).thenComparing(Comparator.naturalOrder()))
        .orElseThrow(() -> new IllegalArgumentException("no scope to choose from"));
  }
}
