package dev.affinity.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Minimum cacheable prefix length per model, matched on the model id's prefix (longest match wins). Configured
 * overrides win over the built-in table; a prefix shorter than the minimum is processed without caching.
 */
final class CacheMinimums {

  static final int DEFAULT_MINIMUM = 1024;

  private static final Map<String, Integer> BUILT_IN = Map.of(
      "claude-opus-4-6", 4096,
      "claude-opus-4-5", 4096,
      "claude-haiku-4-5", 4096,
      "claude-3-5-haiku", 2048,
      "claude-3-haiku", 2048,
      "claude-haiku-3", 2048);

  private final Map<String, Integer> overrides;

  CacheMinimums(Map<String, Integer> overrides) {
    this.overrides = new LinkedHashMap<>(overrides);
  }

  int forModel(String model) {
    Integer configured = longestPrefixMatch(overrides, model);
    if (configured != null) {
      return configured;
    }
    Integer builtIn = longestPrefixMatch(BUILT_IN, model);
    return builtIn != null ? builtIn : DEFAULT_MINIMUM;
  }

  private static Integer longestPrefixMatch(Map<String, Integer> table, String model) {
    String best = null;
    for (String prefix : table.keySet()) {
      if (model.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best == null ? null : table.get(best);
  }
}
