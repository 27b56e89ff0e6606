package dev.affinity.benchmarks.hits;

import java.util.Optional;

/**
 * A way of spreading the replay over deployments. Gateway policies run a real Affinity node in front of the
 * deployments; the others are played by the replay itself, straight to the emulator accounts. The emulator judges
 * them all alike.
 */
public enum Policy {

  /** Every request on one deployment: each prefix cached once, the best any router can do. */
  IDEAL("ideal", "single deployment (ideal)", 1, null, null),
  /** Affinity with prompt-cache affinity on; new prefixes placed by simple-shuffle. */
  AFFINITY("affinity", "Affinity", 3, "enable_prompt_cache_affinity: true, routing_strategy: simple-shuffle", null),
  /** Affinity with affinity off, simple-shuffle: a random deployment per request. */
  RANDOM("random", "random (simple-shuffle)", 3,
      "enable_prompt_cache_affinity: false, routing_strategy: simple-shuffle", null),
  /** Affinity with affinity off, round-robin. */
  ROUND_ROBIN("round-robin", "round-robin", 3, "enable_prompt_cache_affinity: false, routing_strategy: round-robin",
      null),
  /** Hash of the prefix up to the last breakpoint, modulo the deployments. */
  PREFIX_HASH("prefix-hash", "hash of prefix to last breakpoint", 3, null, PrefixHashRouting.Through.LAST_BREAKPOINT),
  /** Hash of the tools and system prompt up to their last breakpoint, modulo the deployments. */
  SYSTEM_HASH("system-hash", "hash of system prompt", 3, null, PrefixHashRouting.Through.LAST_SYSTEM_BREAKPOINT);

  private final String id;
  private final String label;
  private final int deployments;
  private final String routerSettings;
  private final PrefixHashRouting.Through hashed;

  Policy(String id, String label, int deployments, String routerSettings, PrefixHashRouting.Through hashed) {
    this.id = id;
    this.label = label;
    this.deployments = deployments;
    this.routerSettings = routerSettings;
    this.hashed = hashed;
  }

  /** Short name, for the command line and file names. */
  public String id() {
    return id;
  }

  /** Name in tables and plots. */
  public String label() {
    return label;
  }

  public int deployments() {
    return deployments;
  }

  /** The gateway's {@code router_settings} when the policy runs through a gateway node. */
  public Optional<String> routerSettings() {
    return Optional.ofNullable(routerSettings);
  }

  /** The prefix hashed, for the client-side hash policies. */
  public Optional<PrefixHashRouting.Through> hashed() {
    return Optional.ofNullable(hashed);
  }

  public static Policy of(String id) {
    for (Policy policy : values()) {
      if (policy.id.equals(id)) {
        return policy;
      }
    }
    throw new IllegalArgumentException("unknown policy: " + id);
  }
}
