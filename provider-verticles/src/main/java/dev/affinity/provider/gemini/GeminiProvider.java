package dev.affinity.provider.gemini;

import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;

import java.util.List;
import java.util.Optional;

/**
 * Google's Gemini models through the Gemini API of Google AI Studio ({@code gemini/gemini-2.5-flash}), keyed by an
 * API key. Gemini caches prompt prefixes implicitly, over the conversation it is sent.
 */
public final class GeminiProvider implements Provider {

  static final String NAME = "gemini";
  static final String DEFAULT_API_BASE = "https://generativelanguage.googleapis.com";
  static final String KEY_VARIABLE = "GEMINI_API_KEY";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.GEMINI;
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
    return Optional.of(new ProviderEndpoint(base.orElseThrow(), key.orElseThrow(), GeminiSettings.INSTANCE));
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return implicitCache(upstreamModel);
  }

  /**
   * Gemini's implicit cache, over the conversation: from 1,024 tokens on Flash models, 4,096 on Pro ones. Vertex
   * AI's Gemini models cache alike.
   */
  public static CacheBehaviour implicitCache(String model) {
    return new CacheBehaviour(CacheBehaviour.Caching.AUTOMATIC, CacheBehaviour.PromptLayout.CONVERSATION,
        model.startsWith("gemini") && model.contains("-pro") ? 4096 : 1024);
  }

  @Override
  public UpstreamCalls verticle() {
    return new GeminiVerticle();
  }
}
