package dev.affinity.provider.gemini;

import dev.affinity.model.provider.ProviderSettings;

/** A Gemini API deployment needs nothing beyond its endpoint and key. */
public record GeminiSettings() implements ProviderSettings {

  public static final GeminiSettings INSTANCE = new GeminiSettings();

  @Override
  public String providerName() {
    return GeminiProvider.NAME;
  }

  @Override
  public String litellmPrefix() {
    return GeminiProvider.NAME;
  }
}
