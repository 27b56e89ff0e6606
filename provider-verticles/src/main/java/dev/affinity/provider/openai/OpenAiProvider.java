package dev.affinity.provider.openai;

import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;
import dev.affinity.model.provider.UpstreamModel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * OpenAI's Chat Completions API and every provider that speaks it, one prefix each ({@code openai/},
 * {@code hosted_vllm/}, {@code groq/}, {@code azure/}...: {@link OpenAiCompatible} says how each is addressed and
 * whether it caches).
 */
public final class OpenAiProvider implements Provider {

  static final String NAME = "openai";
  /**
   * The bare ids LiteLLM places with OpenAI: GPT and o-series models, fine-tunes of them, ChatGPT, and OpenAI's
   * models of other APIs (which are then skipped as not chat).
   */
  private static final Pattern OPENAI_MODEL = Pattern.compile(
      "(ft:)?gpt-.*|chatgpt-.*|o[1-9](-.*)?|text-embedding-.*|dall-e-.*|whisper-.*|tts-.*|davinci-.*|babbage-.*");
  /** OpenAI models of other APIs than Chat Completions. */
  private static final Pattern NOT_CHAT_MODEL = Pattern.compile(
      "embedding|-instruct|^gpt-image|^dall-e|^whisper|^tts-|-tts|-transcribe|-realtime|^davinci|^babbage");
  private static final String API_VERSION_KEY = "api_version";
  private static final String AZURE_VERSION_VARIABLE = "AZURE_API_VERSION";
  private static final Pattern API_VERSION = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?|v1|latest|preview");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.OPENAI;
  }

  @Override
  public List<String> prefixes() {
    return Arrays.stream(OpenAiCompatible.values()).map(OpenAiCompatible::prefix).toList();
  }

  @Override
  public Map<String, String> unservedPrefixes() {
    return Map.of("text-completion-openai", "text-completion-openai/ is OpenAI's legacy Completions API, which"
        + " Affinity does not serve (use openai/ with a chat model)");
  }

  @Override
  public boolean servesBareModel(String model) {
    return OPENAI_MODEL.matcher(model).matches() || model.equals("*");
  }

  @Override
  public Map<String, String> ownKeys() {
    return Map.of(API_VERSION_KEY, "azure/ and azure_ai/");
  }

  @Override
  public Optional<UpstreamModel> model(Section params, String prefix, String id) {
    if (api(prefix) == OpenAiCompatible.OPENAI && NOT_CHAT_MODEL.matcher(id).find()) {
      return Optional.of(UpstreamModel.unservable(
          "'" + id + "' is not a Chat Completions model; Affinity serves chat models only"));
    }
    return Optional.of(UpstreamModel.of(id));
  }

  /** The compatible provider of {@code prefix}; OpenAI itself for a bare model id. */
  private static OpenAiCompatible api(String prefix) {
    return OpenAiCompatible.fromPrefix(prefix).orElse(OpenAiCompatible.OPENAI);
  }

  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    OpenAiCompatible api = api(prefix);
    Optional<String> base = base(params, api);
    var key = params.apiKey(api.keyVariables(), api.keyOptional());
    String version = apiVersion(params, api);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(base.orElseThrow(), key.orElseThrow(),
        new OpenAiSettings(api, version)));
  }

  /**
   * The endpoint: {@code api_base}, else the provider's variable (as LiteLLM reads {@code GROQ_API_BASE},
   * {@code AZURE_API_BASE}...), else its default; a problem when the provider has none.
   */
  private static Optional<String> base(Section params, OpenAiCompatible api) {
    String example = api.defaultApiBase() != null ? api.defaultApiBase() : "http://10.0.0.5:8000/v1";
    if (params.has("api_base")) {
      return params.url("api_base", example);
    }
    for (String name : api.baseVariables()) {
      Optional<String> fromVariable = params.variable(name);
      if (fromVariable.isPresent()) {
        Optional<String> base = Section.httpUrl(fromVariable.get());
        if (base.isEmpty()) {
          params.problem("api_base", "environment variable " + name
              + " must be an http(s) URL without query or fragment, e.g. " + example);
        }
        return base;
      }
    }
    if (api.defaultApiBase() != null) {
      return Optional.of(api.defaultApiBase());
    }
    String variables = api.baseVariables().isEmpty() ? ""
        : " (or set environment variable " + String.join(" or ", api.baseVariables()) + ")";
    params.problem("api_base", api.keyOptional()
        ? "required for a self-hosted server, e.g. http://10.0.0.5:8000/v1" + variables
        : "required for " + api.prefix() + "/ deployments" + variables);
    return Optional.empty();
  }

  /** {@code api_version} of Azure deployments: configured, else {@code AZURE_API_VERSION}, else LiteLLM's default. */
  private static String apiVersion(Section params, OpenAiCompatible api) {
    if (api != OpenAiCompatible.AZURE && api != OpenAiCompatible.AZURE_AI) {
      params.ignore(API_VERSION_KEY, "only used by azure/ and azure_ai/ deployments, ignored");
      return null;
    }
    Optional<String> configured = params.string(API_VERSION_KEY).or(() -> params.variable(AZURE_VERSION_VARIABLE));
    configured.filter(version -> !API_VERSION.matcher(version).matches())
        .ifPresent(version -> params.problem(API_VERSION_KEY, "must be an Azure API version such as "
            + OpenAiCompatible.AZURE_DEFAULT_API_VERSION));
    return configured.orElse(api == OpenAiCompatible.AZURE ? OpenAiCompatible.AZURE_DEFAULT_API_VERSION : null);
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    if (!deployment.settings(OpenAiSettings.class).api().cachesAutomatically()) {
      return CacheBehaviour.NONE;
    }
    // OpenAI caches from 1,024 tokens; a Gemini Pro model behind a compatible endpoint from 4,096, as on Google
    int minimum = upstreamModel.startsWith("gemini") && upstreamModel.contains("-pro") ? 4096 : 1024;
    return new CacheBehaviour(CacheBehaviour.Caching.AUTOMATIC, CacheBehaviour.PromptLayout.CHAT_COMPLETIONS,
        minimum);
  }

  @Override
  public UpstreamCalls verticle() {
    return new OpenAiVerticle();
  }
}
