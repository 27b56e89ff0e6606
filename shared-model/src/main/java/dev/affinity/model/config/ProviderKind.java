package dev.affinity.model.config;

/**
 * The upstream API a deployment speaks: what the request is translated into and the answer read from. Which provider
 * a deployment is (its prefix, settings, cache behaviour and verticle) is its registration
 * ({@link dev.affinity.model.provider.Provider}); several providers may speak one API.
 */
public enum ProviderKind {

  /** Anthropic's Messages API. */
  ANTHROPIC,
  /** OpenAI's Chat Completions API, and the servers and providers that speak it. */
  OPENAI,
  /** Anthropic models on AWS Bedrock: InvokeModel with the Messages body, signed with AWS credentials. */
  BEDROCK,
  /** Claude ({@code rawPredict} with the Messages body) and Gemini models on Google Vertex AI, with OAuth tokens. */
  VERTEX,
  /** Google's Gemini API ({@code generateContent}), authenticated by an API key. */
  GEMINI
}
