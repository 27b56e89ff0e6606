package dev.affinity.provider.anthropic;

import dev.affinity.model.provider.ProviderSettings;

/** An Anthropic deployment needs nothing beyond its endpoint and key. */
public record AnthropicSettings() implements ProviderSettings {

  public static final AnthropicSettings INSTANCE = new AnthropicSettings();

  @Override
  public String providerName() {
    return AnthropicProvider.NAME;
  }

  @Override
  public String litellmPrefix() {
    return AnthropicProvider.NAME;
  }
}
