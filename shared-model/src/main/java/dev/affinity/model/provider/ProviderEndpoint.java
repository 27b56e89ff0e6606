package dev.affinity.model.provider;

import dev.affinity.model.config.Secret;

import java.util.Objects;

/**
 * Where a deployment's calls go and as whom, as its provider read them from {@code litellm_params}.
 *
 * @param apiBase  the endpoint without trailing slash
 * @param apiKey   the key sent upstream, {@link Secret#NONE} for providers that sign or use tokens instead
 * @param settings the provider's own settings of the deployment
 */
public record ProviderEndpoint(String apiBase, Secret apiKey, ProviderSettings settings) {

  public ProviderEndpoint {
    Objects.requireNonNull(apiBase, "apiBase");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(settings, "settings");
  }
}
