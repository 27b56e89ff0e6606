package dev.affinity.provider.openai;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A provider that speaks OpenAI's Chat Completions API, named by its LiteLLM model prefix ({@code groq/llama-...}),
 * with LiteLLM's defaults: where it is ({@code api_base}, or the variable LiteLLM reads it from), which variables hold
 * its key, how the key is sent, and whether it caches prompt prefixes by itself (then the router pins by the
 * automatic prefix chain; otherwise it routes by the strategy alone).
 */
public enum OpenAiCompatible {

  OPENAI("openai", "https://api.openai.com/v1", List.of("OPENAI_BASE_URL", "OPENAI_API_BASE"),
      List.of("OPENAI_API_KEY"), Auth.BEARER, true),
  /** Self-hosted servers: {@code api_base} is required, a key only if the server wants one. */
  HOSTED_VLLM("hosted_vllm", null, List.of("HOSTED_VLLM_API_BASE"), List.of("HOSTED_VLLM_API_KEY"),
      Auth.OPTIONAL_BEARER, true),
  OPENAI_COMPATIBLE("openai_compatible", null, List.of(), List.of("OPENAI_API_KEY"), Auth.OPTIONAL_BEARER, true),
  OPENAI_LIKE("openai_like", null, List.of(), List.of("OPENAI_API_KEY"), Auth.OPTIONAL_BEARER, true),
  /**
   * Azure OpenAI: {@code {api_base}/openai/deployments/{model}/chat/completions?api-version=...}, key in the
   * {@code api-key} header. Caches like OpenAI.
   */
  AZURE("azure", null, List.of("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
      List.of("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"), Auth.API_KEY_HEADER, true),
  /**
   * Azure AI Foundry model inference: {@code {api_base}/chat/completions} ({@code /models/chat/completions} on
   * {@code *.services.ai.azure.com}); {@code api-key} header on Azure hosts, else Bearer. Which models cache is not
   * documented: no affinity.
   */
  AZURE_AI("azure_ai", null, List.of("AZURE_AI_API_BASE"), List.of("AZURE_AI_API_KEY"), Auth.AZURE_AI, false),
  /** Automatic prompt caching on the models that have it. */
  GROQ("groq", "https://api.groq.com/openai/v1", List.of("GROQ_API_BASE"), List.of("GROQ_API_KEY"), Auth.BEARER,
      true),
  /** Passes on to providers that cache implicitly (OpenAI, DeepSeek, Gemini, Grok), and sticks to one per prefix. */
  OPENROUTER("openrouter", "https://openrouter.ai/api/v1", List.of("OPENROUTER_API_BASE"),
      List.of("OPENROUTER_API_KEY", "OR_API_KEY"), Auth.BEARER, true),
  MISTRAL("mistral", "https://api.mistral.ai/v1", List.of("MISTRAL_API_BASE"), List.of("MISTRAL_API_KEY"),
      Auth.BEARER, false),
  /** Context caching on disk, automatic. LiteLLM's default base is the beta endpoint. */
  DEEPSEEK("deepseek", "https://api.deepseek.com/beta", List.of("DEEPSEEK_API_BASE"), List.of("DEEPSEEK_API_KEY"),
      Auth.BEARER, true),
  TOGETHER_AI("together_ai", "https://api.together.xyz/v1", List.of("TOGETHER_AI_API_BASE"),
      List.of("TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"), Auth.BEARER,
      false),
  /** Prompt caching on by default for its serverless models. */
  FIREWORKS_AI("fireworks_ai", "https://api.fireworks.ai/inference/v1", List.of("FIREWORKS_API_BASE"),
      List.of("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"),
      Auth.BEARER, true),
  /** Grok caches prompt prefixes automatically. */
  XAI("xai", "https://api.x.ai/v1", List.of("XAI_API_BASE"), List.of("XAI_API_KEY"), Auth.BEARER, true),
  PERPLEXITY("perplexity", "https://api.perplexity.ai", List.of("PERPLEXITY_API_BASE"),
      List.of("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"), Auth.BEARER, false),
  DEEPINFRA("deepinfra", "https://api.deepinfra.com/v1/openai", List.of("DEEPINFRA_API_BASE"),
      List.of("DEEPINFRA_API_KEY"), Auth.BEARER, false),
  CEREBRAS("cerebras", "https://api.cerebras.ai/v1", List.of("CEREBRAS_API_BASE"), List.of("CEREBRAS_API_KEY"),
      Auth.BEARER, false),
  NVIDIA_NIM("nvidia_nim", "https://integrate.api.nvidia.com/v1", List.of("NVIDIA_NIM_API_BASE"),
      List.of("NVIDIA_NIM_API_KEY"), Auth.BEARER, false),
  SAMBANOVA("sambanova", "https://api.sambanova.ai/v1", List.of("SAMBANOVA_API_BASE"), List.of("SAMBANOVA_API_KEY"),
      Auth.BEARER, false);

  /** How the key travels. */
  public enum Auth {
    /** {@code Authorization: Bearer <key>}; a key is required. */
    BEARER,
    /** Bearer when a key is configured; none is required. */
    OPTIONAL_BEARER,
    /** {@code api-key: <key>}, Azure OpenAI's way. */
    API_KEY_HEADER,
    /** {@code api-key} on Azure's own hosts, Bearer elsewhere, as LiteLLM does for {@code azure_ai/}. */
    AZURE_AI
  }

  /** The api-version LiteLLM sends to Azure when neither {@code api_version} nor {@code AZURE_API_VERSION} says. */
  public static final String AZURE_DEFAULT_API_VERSION = "2025-02-01-preview";

  private final String prefix;
  private final String defaultApiBase;
  private final List<String> baseVariables;
  private final List<String> keyVariables;
  private final Auth auth;
  private final boolean cachesAutomatically;

  OpenAiCompatible(String prefix, String defaultApiBase, List<String> baseVariables, List<String> keyVariables,
                   Auth auth, boolean cachesAutomatically) {
    this.prefix = prefix;
    this.defaultApiBase = defaultApiBase;
    this.baseVariables = baseVariables;
    this.keyVariables = keyVariables;
    this.auth = auth;
    this.cachesAutomatically = cachesAutomatically;
  }

  /** The LiteLLM model prefix, without the slash. */
  public String prefix() {
    return prefix;
  }

  /** The endpoint when neither {@code api_base} nor a base variable gives one; null when one must be given. */
  public String defaultApiBase() {
    return defaultApiBase;
  }

  /** The variables LiteLLM reads the endpoint from when {@code api_base} is absent, in order. */
  public List<String> baseVariables() {
    return baseVariables;
  }

  /** The variables LiteLLM reads the key from when {@code api_key} is absent, in order. */
  public List<String> keyVariables() {
    return keyVariables;
  }

  public Auth auth() {
    return auth;
  }

  /** Whether a deployment without a key is fine (a self-hosted server without authentication). */
  public boolean keyOptional() {
    return auth == Auth.OPTIONAL_BEARER;
  }

  /** Whether the provider caches prompt prefixes without markers, so that affinity pays. */
  public boolean cachesAutomatically() {
    return cachesAutomatically;
  }

  /** Whether the identity of its deployments is written {@code openai/<model>} (ids derived before the others). */
  boolean namedAsOpenAi() {
    return this == OPENAI || this == HOSTED_VLLM || this == OPENAI_COMPATIBLE || this == OPENAI_LIKE;
  }

  public static Optional<OpenAiCompatible> fromPrefix(String prefix) {
    return Arrays.stream(values()).filter(api -> api.prefix.equals(prefix)).findFirst();
  }
}
