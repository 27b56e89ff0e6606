package dev.affinity.model.config;

/**
 * The upstream API a deployment speaks: what the request is translated into and the answer read from. Which provider
 * a deployment is (its prefix, settings, cache behaviour and verticle) is its registration
 * ({@link dev.affinity.model.provider.Provider}); several providers may speak one API.
 */
public enum ProviderKind {

  /** Anthropic's Messages API. */
  ANTHROPIC("anthropic"),
  /** OpenAI's Chat Completions API, and the servers and providers that speak it. */
  OPENAI("openai"),
  /** Anthropic models on AWS Bedrock: InvokeModel with the Messages body, signed with AWS credentials. */
  BEDROCK("bedrock"),
  /** Claude ({@code rawPredict} with the Messages body) and Gemini models on Google Vertex AI, with OAuth tokens. */
  VERTEX("vertex_ai"),
  /** Google's Gemini API ({@code generateContent}), authenticated by an API key. */
  GEMINI("gemini");

  private final String prefix;

  ProviderKind(String prefix) {
    this.prefix = prefix;
  }

  /**
   * The LiteLLM prefix of the API's own provider ({@code vertex_ai}), to name the API in messages. Which prefixes
   * are served, and by which provider, is the registrations' to say ({@link dev.affinity.model.provider.Providers}).
   */
  public String prefix() {
    return prefix;
  }
}
