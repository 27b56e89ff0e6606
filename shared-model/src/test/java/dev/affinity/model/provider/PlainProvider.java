package dev.affinity.model.provider;

import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The only provider shared-model's tests know: {@code plain/<model>}, bare {@code plain-*} ids, entries with a
 * {@code plain_region} placed here whatever their prefix, a required {@code plain_region}, and no verticle.
 */
public final class PlainProvider implements Provider {

  /** Its settings: the region, which is part of derived ids and of the default cache scope. */
  public record PlainSettings(String region) implements ProviderSettings {

    @Override
    public String providerName() {
      return "plain";
    }

    @Override
    public String litellmPrefix() {
      return "plain";
    }

    @Override
    public List<String> idFields() {
      return List.of(region);
    }

    @Override
    public String defaultCacheScope(String deploymentId) {
      return "plain@" + region;
    }
  }

  @Override
  public String name() {
    return "plain";
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.ANTHROPIC;
  }

  @Override
  public List<String> prefixes() {
    return List.of("plain", "plain_too");
  }

  @Override
  public Map<String, String> unservedPrefixes() {
    return Map.of("plain_legacy", "plain_legacy/ is retired (use plain/)");
  }

  @Override
  public boolean claimsUnprefixed(Section params, ModelInfo info) {
    return params.has("plain_region");
  }

  @Override
  public boolean servesBareModel(String model) {
    return model.startsWith("plain-");
  }

  @Override
  public Map<String, String> ownKeys() {
    return Map.of("plain_region", "Plain");
  }

  @Override
  public Optional<UpstreamModel> model(Section params, String prefix, String id) {
    return Optional.of(id.contains("image") ? UpstreamModel.unservable("'" + id + "' is not a chat model")
        : UpstreamModel.of(id));
  }

  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    Optional<String> base = params.has("api_base") ? params.url("api_base", "https://plain.example")
        : Optional.of("https://plain.example");
    Optional<String> region = params.requiredString("plain_region");
    var key = params.apiKey(List.of("PLAIN_API_KEY"), false);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(base.orElseThrow(), key.orElseThrow(),
        new PlainSettings(region.orElseThrow())));
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return CacheBehaviour.CLAUDE_MARKERS;
  }

  @Override
  public UpstreamCalls verticle() {
    throw new UnsupportedOperationException("shared-model's tests deploy no verticle");
  }
}
