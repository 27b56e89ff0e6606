package dev.affinity.router.cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pin-map keys to fetch, in one round trip, before routing a request.
 *
 * <p>The provider checks for a cache hit at each breakpoint and at up to {@value #LOOKBACK} block boundaries before
 * it (the previous turn's breakpoint is usually a few blocks back). So for each breakpoint {@code b} the plan asks
 * for every boundary {@code j} in {@code [b - 20, b]}: a prefix exactly 20 blocks back is found, 21 is not. Keys are
 * distinct and ordered longest prefix first, which is the order in which a hit is preferred.
 */
public final class LookupPlan {

  /** Boundaries the provider checks before a breakpoint. */
  public static final int LOOKBACK = 20;

  private final List<Probe> probes;
  private final List<String> keys;
  private final int conversationStart;
  private final java.util.function.IntToLongFunction tokens;

  /**
   * One key to fetch.
   *
   * @param key   the prefix key
   * @param block the last block of that prefix
   * @param ttl   the TTL of the breakpoint that looks it up (the longest, if several do), used when refreshing a hit
   */
  public record Probe(String key, int block, CacheTtl ttl) {
  }

  private LookupPlan(List<Probe> probes, int conversationStart, java.util.function.IntToLongFunction tokens) {
    this.conversationStart = conversationStart;
    this.tokens = tokens;
    this.probes = List.copyOf(probes);
    this.keys = this.probes.stream().map(Probe::key).toList();
  }

  /** The plan for a chain with the provider's lookback. */
  public static LookupPlan of(PrefixChain chain) {
    return of(chain, LOOKBACK);
  }

  /** The plan for a chain, looking back {@code lookback} boundaries before each breakpoint. */
  public static LookupPlan of(PrefixChain chain, int lookback) {
    if (lookback < 0) {
      throw new IllegalArgumentException("lookback must not be negative: " + lookback);
    }
    // Windows of neighbouring breakpoints overlap; a boundary in several keeps the longest TTL.
    Map<Integer, CacheTtl> boundaries = new LinkedHashMap<>();
    List<Breakpoint> breakpoints = chain.breakpoints();
    for (int i = breakpoints.size() - 1; i >= 0; i--) {
      Breakpoint breakpoint = breakpoints.get(i);
      for (int j = breakpoint.block(); j >= Math.max(0, breakpoint.block() - lookback); j--) {
        boundaries.merge(j, breakpoint.ttl(), CacheTtl::longer);
      }
    }
    List<Probe> probes = new ArrayList<>(boundaries.size());
    boundaries.forEach((block, ttl) -> probes.add(new Probe(chain.key(block), block, ttl)));
    probes.sort((a, b) -> Integer.compare(b.block(), a.block()));
    return new LookupPlan(probes, chain.conversationStart(), chain::tokensThrough);
  }

  /**
   * A plan of probes chosen elsewhere ({@link AutomaticPrefixChain#lookupPlan(int)}), sorted longest first. Every
   * probe counts as the conversation's own: the automatic chain does not tell a shared system prompt apart.
   */
  static LookupPlan ofProbes(List<Probe> probes, java.util.function.IntToLongFunction tokens) {
    List<Probe> sorted = new ArrayList<>(probes);
    sorted.sort((a, b) -> Integer.compare(b.block(), a.block()));
    return new LookupPlan(sorted, 0, tokens);
  }

  /**
   * The first block of the conversation: a pinned prefix that ends before it (tools, system) is shared and is
   * followed within balance bounds; one that ends at or after it is the conversation's own.
   */
  public int conversationStart() {
    return conversationStart;
  }

  /** Estimated tokens of the prefix through {@code block} (0 when unknown). */
  public long tokensThrough(int block) {
    return tokens == null || block < 0 ? 0 : tokens.applyAsLong(block);
  }

  /** Every key to fetch, longest prefix first; empty when the request has no breakpoint. */
  public List<String> keys() {
    return keys;
  }

  /** The same keys with the block and TTL each stands for, longest prefix first. */
  public List<Probe> probes() {
    return probes;
  }

  public boolean isEmpty() {
    return probes.isEmpty();
  }
}
