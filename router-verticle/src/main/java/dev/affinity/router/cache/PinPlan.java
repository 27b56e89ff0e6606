package dev.affinity.router.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * The prefixes a request is worth pinning: each breakpoint whose prefix reaches the model's minimum cacheable size,
 * with the breakpoint's TTL. Empty when the request has no marker, or none reaches the minimum: such a request is
 * routed by the normal strategy and leaves nothing behind.
 */
public final class PinPlan {

  private static final PinPlan EMPTY = new PinPlan(List.of());

  private final List<Pin> pins;

  /**
   * One prefix to pin.
   *
   * @param key   the prefix key
   * @param block the breakpoint block
   * @param ttl   the breakpoint's TTL
   */
  public record Pin(String key, int block, CacheTtl ttl) {
  }

  private PinPlan(List<Pin> pins) {
    this.pins = pins;
  }

  /** The pins of a chain for a model that caches prefixes of {@code minimumTokens} and more. */
  public static PinPlan of(PrefixChain chain, int minimumTokens) {
    List<Pin> pins = new ArrayList<>(4);
    List<Breakpoint> breakpoints = chain.breakpoints();
    for (int i = breakpoints.size() - 1; i >= 0; i--) {
      Breakpoint breakpoint = breakpoints.get(i);
      if (chain.tokensThrough(breakpoint.block()) >= minimumTokens) {
        pins.add(new Pin(chain.key(breakpoint.block()), breakpoint.block(), breakpoint.ttl()));
      }
    }
    return pins.isEmpty() ? EMPTY : new PinPlan(List.copyOf(pins));
  }

  /** A plan of pins chosen elsewhere ({@link AutomaticPrefixChain#pinPlan(int)}), sorted longest first. */
  static PinPlan ofPins(List<Pin> pins) {
    if (pins.isEmpty()) {
      return EMPTY;
    }
    List<Pin> sorted = new ArrayList<>(pins);
    sorted.sort((a, b) -> Integer.compare(b.block(), a.block()));
    return new PinPlan(List.copyOf(sorted));
  }

  /** Nothing to pin. */
  public static PinPlan none() {
    return EMPTY;
  }

  /** The pins, longest prefix first. */
  public List<Pin> pins() {
    return pins;
  }

  public boolean isEmpty() {
    return pins.isEmpty();
  }
}
