package dev.affinity.model.config;

import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderSettings;
import dev.affinity.model.provider.Providers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One upstream target: a provider, a model, an endpoint and the credentials to use there.
 *
 * @param id              stable across nodes and restarts: {@code model_info.id}, or derived from non-secret fields
 * @param alias           {@code model_name}, what clients ask for; may contain one {@code *}
 * @param model           the upstream model id without provider prefix; may contain one {@code *}
 * @param apiBase         the endpoint, without trailing slash
 * @param apiKey          the credential sent upstream ({@link Secret#NONE} for providers that sign or use tokens)
 * @param weight          relative share of traffic under weighted strategies
 * @param rpm             requests per minute this deployment accepts, or {@code null} for no limit
 * @param tpm             tokens per minute this deployment accepts, or {@code null} for no limit
 * @param timeout         the upstream call timeout (the router's when the deployment sets none)
 * @param injectionPoints where to add {@code cache_control} markers; empty for none
 * @param info            {@code model_info}
 * @param cacheScope      deployments with the same scope share one provider cache; defaults to the provider's
 *                        {@link ProviderSettings#defaultCacheScope(String)} (the id, a Bedrock account in a region, a
 *                        Vertex AI project)
 * @param settings        the provider's own settings of this deployment: which provider it is, and what that provider
 *                        needs beyond endpoint and key
 * @param calls           order, parallel limit, stream timeout and extra headers
 */
public record Deployment(String id, String alias, String model, String apiBase, Secret apiKey,
                         double weight, Integer rpm, Integer tpm, Duration timeout,
                         List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope,
                         ProviderSettings settings, CallSettings calls) {

  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(apiBase, "apiBase");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(cacheScope, "cacheScope");
    Objects.requireNonNull(settings, "settings");
    injectionPoints = List.copyOf(injectionPoints);
    calls = Objects.requireNonNullElse(calls, CallSettings.DEFAULTS);
  }

  /** A deployment with the default call settings. */
  public Deployment(String id, String alias, String model, String apiBase, Secret apiKey,
                    double weight, Integer rpm, Integer tpm, Duration timeout,
                    List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope,
                    ProviderSettings settings) {
    this(id, alias, model, apiBase, apiKey, weight, rpm, tpm, timeout, injectionPoints, info, cacheScope, settings,
        null);
  }

  /** The registration of this deployment's provider: its cache behaviour, its verticle. */
  public Provider registration() {
    return Providers.named(settings.providerName());
  }

  /** LiteLLM's name of this deployment's provider: {@code model_info.litellm_provider} when set, else the prefix. */
  public String litellmProvider() {
    return info.litellmProvider() != null ? info.litellmProvider() : settings.providerName();
  }

  /** The upstream API this deployment speaks. */
  public ProviderKind provider() {
    return registration().api();
  }

  /**
   * The settings of this deployment as its own provider's type: a provider asks for {@code AwsSettings}, say, and
   * is given them; a deployment of another provider is a programming error.
   */
  public <S extends ProviderSettings> S settings(Class<S> type) {
    if (!type.isInstance(settings)) {
      throw new IllegalStateException("deployment " + id + " is a " + settings.providerName() + " deployment, not "
          + type.getSimpleName());
    }
    return type.cast(settings);
  }

  /** The model as LiteLLM writes it, {@code provider/model}. */
  public String litellmModel() {
    return settings.litellmPrefix() + "/" + model;
  }

  /**
   * The model id to send upstream for {@code requestedModel}. A wildcard model takes the part of the request that the
   * alias wildcard matched: alias {@code claude-*} with model {@code claude-*} sends {@code claude-sonnet-4-5} for a
   * request for {@code claude-sonnet-4-5}; alias {@code anthropic/*} with model {@code *} sends {@code claude-x} for
   * {@code anthropic/claude-x}. A model without wildcard is always sent as configured.
   */
  public String upstreamModel(String requestedModel) {
    if (!ModelPattern.isWildcard(model)) {
      return model;
    }
    return ModelPattern.capture(alias, requestedModel)
        .map(captured -> ModelPattern.substitute(model, captured))
        .orElse(requestedModel);
  }

  /** The upstream timeout of a call, streamed or not: {@code stream_timeout} applies to streams when set. */
  public Duration timeout(boolean stream) {
    return stream && calls.streamTimeout() != null ? calls.streamTimeout() : timeout;
  }

  /** Whether this deployment serves a family of models ({@code claude-*}) rather than one alias. */
  public boolean wildcard() {
    return ModelPattern.isWildcard(alias);
  }
}
