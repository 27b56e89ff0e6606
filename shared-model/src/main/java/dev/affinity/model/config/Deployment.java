package dev.affinity.model.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One upstream target: a provider, a model, an endpoint and the credentials to use there.
 *
 * @param id              stable across nodes and restarts: {@code model_info.id}, or derived from non-secret fields
 * @param alias           {@code model_name}, what clients ask for; may contain one {@code *}
 * @param provider        the API family, from the model prefix
 * @param model           the upstream model id without provider prefix; may contain one {@code *}
 * @param apiBase         the endpoint, without trailing slash
 * @param apiKey          the credential sent upstream
 * @param weight          relative share of traffic under weighted strategies
 * @param rpm             requests per minute this deployment accepts, or {@code null} for no limit
 * @param tpm             tokens per minute this deployment accepts, or {@code null} for no limit
 * @param timeout         the upstream call timeout (the router's when the deployment sets none)
 * @param injectionPoints where to add {@code cache_control} markers; empty for none
 * @param info            {@code model_info}
 * @param cacheScope      deployments with the same scope share one provider cache; defaults to {@link #id}, for
 *                        Bedrock to {@link AwsSettings#defaultCacheScope()}, for Vertex AI to
 *                        {@link VertexSettings#defaultCacheScope()}
 * @param aws             region and credentials of a Bedrock deployment (then {@code apiKey} is {@link Secret#NONE});
 *                        {@code null} for every other provider
 * @param vertex          project, location and credentials of a Vertex AI deployment (then {@code apiKey} is
 *                        {@link Secret#NONE}); {@code null} for every other provider
 * @param openAi          which OpenAI-compatible provider an OpenAI-API deployment is, and how it is addressed;
 *                        {@code null} for every other provider ({@link OpenAiSettings#OPENAI} when built without)
 * @param calls           order, parallel limit, stream timeout and extra headers
 */
public record Deployment(String id, String alias, ProviderKind provider, String model, String apiBase, Secret apiKey,
                         double weight, Integer rpm, Integer tpm, Duration timeout,
                         List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope,
                         AwsSettings aws, VertexSettings vertex, OpenAiSettings openAi, CallSettings calls) {

  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(apiBase, "apiBase");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(cacheScope, "cacheScope");
    injectionPoints = List.copyOf(injectionPoints);
    if (provider == ProviderKind.OPENAI && openAi == null) {
      openAi = OpenAiSettings.OPENAI;
    }
    if ((provider == ProviderKind.OPENAI) != (openAi != null)) {
      throw new IllegalArgumentException("OpenAI settings are only for OpenAI-API deployments");
    }
    calls = Objects.requireNonNullElse(calls, CallSettings.DEFAULTS);
    if ((provider == ProviderKind.BEDROCK) != (aws != null)) {
      throw new IllegalArgumentException("AWS settings are required for Bedrock deployments and only for them");
    }
    if ((provider == ProviderKind.VERTEX) != (vertex != null)) {
      throw new IllegalArgumentException("Vertex settings are required for Vertex AI deployments and only for them");
    }
  }

  /** A deployment with the default call settings. */
  public Deployment(String id, String alias, ProviderKind provider, String model, String apiBase, Secret apiKey,
                    double weight, Integer rpm, Integer tpm, Duration timeout,
                    List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope,
                    AwsSettings aws, VertexSettings vertex) {
    this(id, alias, provider, model, apiBase, apiKey, weight, rpm, tpm, timeout, injectionPoints, info, cacheScope,
        aws, vertex, null, null);
  }

  /** A deployment of a provider other than Vertex AI. */
  public Deployment(String id, String alias, ProviderKind provider, String model, String apiBase, Secret apiKey,
                    double weight, Integer rpm, Integer tpm, Duration timeout,
                    List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope, AwsSettings aws) {
    this(id, alias, provider, model, apiBase, apiKey, weight, rpm, tpm, timeout, injectionPoints, info, cacheScope,
        aws, null);
  }

  /** A deployment of a provider other than Bedrock and Vertex AI, which need settings of their own. */
  public Deployment(String id, String alias, ProviderKind provider, String model, String apiBase, Secret apiKey,
                    double weight, Integer rpm, Integer tpm, Duration timeout,
                    List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope) {
    this(id, alias, provider, model, apiBase, apiKey, weight, rpm, tpm, timeout, injectionPoints, info, cacheScope,
        null, null);
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
