package dev.affinity.provider.anthropic;

import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;

import java.util.List;
import java.util.Optional;

/** Anthropic's Messages API ({@code anthropic/claude-...}, or a bare {@code claude-...}), keyed by an API key. */
public final class AnthropicProvider implements Provider {

  static final String NAME = "anthropic";
  static final String DEFAULT_API_BASE = "https://api.anthropic.com";
  static final String KEY_VARIABLE = "ANTHROPIC_API_KEY";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.ANTHROPIC;
  }


  @Override
  public boolean servesBareModel(String model) {
    return model.startsWith("claude");
  }


  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    Optional<String> base = params.has("api_base") ? params.url("api_base", DEFAULT_API_BASE)
        : Optional.of(DEFAULT_API_BASE);
    var key = params.apiKey(List.of(KEY_VARIABLE), false);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(base.orElseThrow(), key.orElseThrow(), AnthropicSettings.INSTANCE));
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return CacheBehaviour.CLAUDE_MARKERS;
  }

  @Override
  public UpstreamCalls verticle() {
    return new AnthropicVerticle();
  }
}
