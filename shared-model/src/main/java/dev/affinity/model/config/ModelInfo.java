package dev.affinity.model.config;

import java.util.List;

/**
 * A deployment's {@code model_info}: its configured id, the prices and cache threshold that override built-in
 * tables, and the access groups it belongs to. Every component but the groups is {@code null} when not configured.
 *
 * @param id                          {@code model_info.id}, the deployment id given by the operator
 * @param inputCostPerToken           {@code input_cost_per_token}, in USD
 * @param outputCostPerToken          {@code output_cost_per_token}, in USD
 * @param cacheCreationInputTokenCost {@code cache_creation_input_token_cost}, in USD
 * @param cacheReadInputTokenCost     {@code cache_read_input_token_cost}, in USD
 * @param minCacheableTokens          {@code min_cacheable_tokens} (Affinity's key): the smallest prefix worth pinning
 * @param litellmProvider             {@code litellm_provider}, kept for compatibility and reporting
 * @param accessGroups                {@code access_groups}, LiteLLM's model access groups: a key or team whose
 *                                    {@code models} names one may call this deployment's model; empty when none
 */
public record ModelInfo(String id, Double inputCostPerToken, Double outputCostPerToken,
                        Double cacheCreationInputTokenCost, Double cacheReadInputTokenCost,
                        Integer minCacheableTokens, String litellmProvider, List<String> accessGroups) {

  /** No {@code model_info} at all. */
  public static final ModelInfo NONE = new ModelInfo(null, null, null, null, null, null, null, List.of());

  public ModelInfo {
    accessGroups = accessGroups == null ? List.of() : List.copyOf(accessGroups);
  }
}
