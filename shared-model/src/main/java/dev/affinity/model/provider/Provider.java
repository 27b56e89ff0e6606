package dev.affinity.model.provider;

import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One provider's registration: everything the gateway knows about a provider outside the provider's own package.
 * Implementations live in the provider's package (module provider-verticles) and are found by
 * {@link java.util.ServiceLoader} through {@code META-INF/services/dev.affinity.model.provider.Provider}; the
 * configuration loader, the routing policy and the node ask {@link Providers} and never name a provider. See
 * docs/architecture.md, "Providers".
 */
public interface Provider {

  /**
   * The registration's name, lower case and stable: the router finds the provider's verticle by it (a deployment's
   * registration says whose it is) and it appears in logs.
   */
  String name();

  /** The upstream API the provider's deployments speak: what translators are chosen by. */
  ProviderKind api();

  /** The LiteLLM model prefixes it serves, without the slash ({@code bedrock}); its name unless it says otherwise. */
  default List<String> prefixes() {
    return List.of(name());
  }

  /** LiteLLM prefixes close to this provider's that are not served, with the reason to give. */
  default Map<String, String> unservedPrefixes() {
    return Map.of();
  }

  /**
   * Whether a model id without a prefix any provider serves is this provider's because of what else the entry says
   * (LiteLLM places an entry with AWS keys on Bedrock). Asked before {@link #servesBareModel}.
   */
  default boolean claimsUnprefixed(Section params, ModelInfo info) {
    return false;
  }

  /** Whether LiteLLM places a model id written without prefix ({@code claude-...}) with this provider. */
  default boolean servesBareModel(String model) {
    return false;
  }

  /**
   * The {@code litellm_params} keys only this provider's deployments read, and how its deployments are called in the
   * warning other deployments get for them ({@code only used by Bedrock deployments, ignored}).
   */
  default Map<String, String> ownKeys() {
    return Map.of();
  }

  /**
   * The upstream model of a deployment whose {@code model} is {@code prefix/id} ({@code prefix} empty for a bare or
   * claimed id), or why it cannot be served; empty after a problem recorded in {@code params}. The id as it is unless
   * the provider says otherwise.
   */
  default Optional<UpstreamModel> model(Section params, String prefix, String id) {
    return Optional.of(UpstreamModel.of(id));
  }

  /**
   * Endpoint, credentials and settings of a deployment of {@code model}, read from {@code params}: every problem
   * recorded at its key, empty when there was one. Keys read here are not reported as unknown.
   */
  Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model);

  /** How a deployment of this provider caches prompts when sent {@code upstreamModel}: what affinity pins on. */
  CacheBehaviour cache(Deployment deployment, String upstreamModel);

  /** A new instance of the verticle that calls this provider: the node deploys it beside the router, which calls it. */
  UpstreamCalls verticle();

  /**
   * What makes one node's verticles of this provider, one per event loop. The verticles one supplier makes may share
   * what belongs to the node rather than to a loop (an access token, resolved credentials: fetched once per node, not
   * once per loop); by default each is {@link #verticle()} on its own.
   */
  default Supplier<UpstreamCalls> verticles() {
    return this::verticle;
  }
}
