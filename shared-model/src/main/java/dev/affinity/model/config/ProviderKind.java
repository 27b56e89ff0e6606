package dev.affinity.model.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The upstream API family a deployment speaks, named by the LiteLLM model prefix ({@code anthropic/claude-...}).
 */
public enum ProviderKind {

  /** Anthropic's Messages API. */
  ANTHROPIC("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", List.of()),
  /**
   * OpenAI's Chat Completions API, and servers and providers that speak it ({@code hosted_vllm/}, {@code groq/},
   * {@code azure/}...: see {@link OpenAiCompatible}, which says how each is addressed).
   */
  OPENAI("openai", "https://api.openai.com/v1", "OPENAI_API_KEY",
      List.of("hosted_vllm", "openai_compatible", "openai_like")),
  /**
   * Anthropic models on AWS Bedrock, called through InvokeModel with the Messages body. Signed with AWS credentials
   * ({@link AwsSettings}) rather than a key; the endpoint depends on the region
   * ({@code https://bedrock-runtime.{region}.amazonaws.com}, see {@link AwsSettings#defaultEndpoint()}).
   */
  BEDROCK("bedrock", null, null, List.of()),
  /**
   * Anthropic models on Google Vertex AI ({@code rawPredict} with the Messages body). Called with OAuth access tokens
   * of a service account or the application default credentials ({@link VertexSettings}) rather than a key; the
   * endpoint depends on the location (see {@link VertexSettings#defaultEndpoint()}).
   */
  VERTEX("vertex_ai", null, null, List.of()),
  /**
   * Google's Gemini models through the Gemini API of Google AI Studio ({@code generateContent}), authenticated by an
   * API key. Clients speak Anthropic's Messages API (or OpenAI's, translated to it by the router): the provider
   * translates the request and the answer.
   */
  GEMINI("gemini", "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", List.of());

  private final String prefix;
  private final String defaultApiBase;
  private final String defaultKeyVariable;
  private final List<String> selfHostedPrefixes;

  ProviderKind(String prefix, String defaultApiBase, String defaultKeyVariable, List<String> selfHostedPrefixes) {
    this.prefix = prefix;
    this.defaultApiBase = defaultApiBase;
    this.defaultKeyVariable = defaultKeyVariable;
    this.selfHostedPrefixes = selfHostedPrefixes;
  }

  /** The LiteLLM model prefix, without the slash: {@code anthropic}. */
  public String prefix() {
    return prefix;
  }

  /** The endpoint used when a deployment has no {@code api_base}; null for Bedrock and Vertex, whose are regional. */
  public String defaultApiBase() {
    return defaultApiBase;
  }

  /**
   * The environment variable LiteLLM falls back to when a deployment has no {@code api_key}; null for Bedrock and
   * Vertex, which authenticate with AWS and Google credentials instead.
   */
  public String defaultKeyVariable() {
    return defaultKeyVariable;
  }

  /** The provider whose {@link #prefix()} is exactly {@code prefix}, if any. */
  public static Optional<ProviderKind> fromPrefix(String prefix) {
    return Arrays.stream(values())
        .filter(kind -> kind.prefix.equals(prefix) || kind.selfHostedPrefixes.contains(prefix))
        .findFirst();
  }

  /** The supported prefixes, comma separated, for error messages. */
  static String supportedPrefixes() {
    return Arrays.stream(values())
        .flatMap(kind -> Stream.concat(Stream.of(kind.prefix), kind.selfHostedPrefixes.stream()))
        .collect(Collectors.joining(", "));
  }
}
