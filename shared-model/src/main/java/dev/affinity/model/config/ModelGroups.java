package dev.affinity.model.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What LiteLLM's router says about aliases (model groups) beyond the deployments: where a request goes when its alias
 * fails, and other names for an alias.
 *
 * @param fallbacks              {@code fallbacks}: alias → the aliases tried in order when every deployment of it
 *                               failed in a way that is not the client's fault; key {@code *} applies to every alias
 *                               without an entry of its own ({@code default_fallbacks} is read into it)
 * @param contextWindowFallbacks {@code context_window_fallbacks}: alias → the aliases tried when its answer says the
 *                               prompt exceeds the model's context window
 * @param groupAliases           {@code model_group_alias}: a name clients may ask for → the alias that serves it
 * @param hiddenAliases          the names of {@code groupAliases} left out of {@code /v1/models}
 *                               ({@code hidden: true})
 */
public record ModelGroups(Map<String, List<String>> fallbacks, Map<String, List<String>> contextWindowFallbacks,
                          Map<String, String> groupAliases, Set<String> hiddenAliases) {

  /** Every alias for itself: no fallbacks, no other names. */
  public static final ModelGroups NONE = new ModelGroups(Map.of(), Map.of(), Map.of(), Set.of());

  /** The key of {@link #fallbacks} that applies to every alias without its own entry. */
  public static final String EVERY_ALIAS = "*";

  public ModelGroups {
    fallbacks = Map.copyOf(Objects.requireNonNull(fallbacks, "fallbacks"));
    contextWindowFallbacks = Map.copyOf(Objects.requireNonNull(contextWindowFallbacks, "contextWindowFallbacks"));
    groupAliases = Map.copyOf(Objects.requireNonNull(groupAliases, "groupAliases"));
    hiddenAliases = Set.copyOf(Objects.requireNonNull(hiddenAliases, "hiddenAliases"));
  }

  /** The aliases to try, in order, after {@code alias} failed; {@code contextWindow} when the prompt was too long. */
  public List<String> fallbacksFor(String alias, boolean contextWindow) {
    if (contextWindow) {
      return contextWindowFallbacks.getOrDefault(alias, List.of());
    }
    return fallbacks.getOrDefault(alias, fallbacks.getOrDefault(EVERY_ALIAS, List.of())).stream()
        .filter(fallback -> !fallback.equals(alias))
        .toList();
  }
}
