package dev.affinity.provider.vertex;

import dev.affinity.model.provider.UpstreamCalls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ModelPattern;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Secret;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;
import dev.affinity.model.provider.UpstreamModel;
import dev.affinity.provider.gemini.GeminiProvider;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Claude and Gemini models on Google Vertex AI ({@code vertex_ai/claude-...}, {@code vertex_ai/gemini-...}, or a
 * bare {@code gemini-...} as LiteLLM places it), called with OAuth access tokens of a service account or the
 * application default credentials ({@link VertexSettings}) rather than a key.
 */
public final class VertexProvider implements Provider {

  static final String NAME = "vertex";
  static final String PREFIX = "vertex_ai";
  /** The keys only Vertex AI deployments use. */
  private static final List<String> VERTEX_KEYS = List.of("vertex_project", "vertex_location", "vertex_credentials");
  /** LiteLLM's other spellings of the Vertex keys: the same meaning, one of the two per deployment. */
  private static final Map<String, String> VERTEX_SPELLINGS = Map.of(
      "vertex_ai_project", "vertex_project", "vertex_ai_location", "vertex_location");
  /** Where LiteLLM looks for a Vertex project and location when a deployment names none. */
  private static final String PROJECT_VARIABLE = "VERTEXAI_PROJECT";
  private static final String LOCATION_VARIABLE = "VERTEXAI_LOCATION";
  /** A project id (optionally domain-scoped, {@code example.com:my-project}) or a project number. */
  private static final Pattern GCP_PROJECT = Pattern.compile("([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]+");
  private static final Pattern VERTEX_LOCATION = Pattern.compile(VertexSettings.GLOBAL + "|[a-z]+-[a-z]+[0-9]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.VERTEX;
  }

  @Override
  public List<String> prefixes() {
    return List.of(PREFIX);
  }

  /** LiteLLM's model table lists bare Gemini ids under vertex_ai, not the Gemini API. */
  @Override
  public boolean servesBareModel(String model) {
    return model.startsWith("gemini-");
  }

  @Override
  public Map<String, String> ownKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    VERTEX_KEYS.forEach(key -> keys.put(key, "Vertex AI"));
    VERTEX_SPELLINGS.keySet().stream().sorted().forEach(key -> keys.put(key, "Vertex AI"));
    return keys;
  }

  @Override
  public Optional<UpstreamModel> model(Section params, String prefix, String id) {
    if (!prefix.isEmpty() && !id.startsWith("claude") && !VertexSettings.servesGemini(id)
        && !ModelPattern.isWildcard(id)) {
      return Optional.of(UpstreamModel.unservable("only Anthropic Claude and Google Gemini models are served on"
          + " Vertex AI, e.g. vertex_ai/claude-sonnet-4-5@20250929 or vertex_ai/gemini-2.5-flash"));
    }
    return Optional.of(UpstreamModel.of(id));
  }

  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    Optional<String> base = params.url("api_base", "https://us-east5-aiplatform.googleapis.com");
    Optional<VertexSettings> vertex = vertex(params);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(base.orElseGet(() -> vertex.orElseThrow().defaultEndpoint()),
        Secret.NONE, vertex.orElseThrow()));
  }

  /**
   * Project, location and credentials of a Vertex AI deployment. A credentials file is not read here (it may exist
   * only on the machines that serve); inline JSON is checked to be a service account key, without ever quoting it.
   */
  private static Optional<VertexSettings> vertex(Section params) {
    int before = params.problemCount();
    Optional<String> project = keyOrVariable(params, spelling(params, "vertex_project"), PROJECT_VARIABLE,
        GCP_PROJECT, "a Google Cloud project id, e.g. my-project-123");
    Optional<String> location = keyOrVariable(params, spelling(params, "vertex_location"), LOCATION_VARIABLE,
        VERTEX_LOCATION, "a Vertex AI region such as us-east5, or global");
    Optional<Secret> credentials = params.secret("vertex_credentials");
    credentials.filter(json -> json.value().stripLeading().startsWith("{"))
        .ifPresent(json -> serviceAccountProblem(json.value())
            .ifPresent(problem -> params.problem("vertex_credentials", problem)));
    if (params.has("api_key")) {
      params.problem("api_key", "not used by Vertex AI deployments: give vertex_credentials (a service account key"
          + " file, or its JSON), or neither for Google's application default credentials");
    }
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new VertexSettings(project.orElseThrow(), location.orElseThrow(), credentials.orElse(null)));
  }

  /** {@code key}, or LiteLLM's other spelling of it ({@code vertex_ai_project}) when that is the one given. */
  private static String spelling(Section params, String key) {
    String other = VERTEX_SPELLINGS.entrySet().stream().filter(e -> e.getValue().equals(key))
        .map(Map.Entry::getKey).findFirst().orElseThrow();
    if (!params.has(other)) {
      return key;
    }
    if (params.has(key)) {
      params.problem(other, "give either " + key + " or " + other + ", not both");
    }
    return other;
  }

  /** {@code key}, or else environment variable {@code variable}, matching {@code format}. */
  private static Optional<String> keyOrVariable(Section params, String key, String variable, Pattern format,
                                                String what) {
    if (params.has(key)) {
      return params.string(key).filter(value -> {
        if (!format.matcher(value).matches()) {
          params.problem(key, "must be " + what);
          return false;
        }
        return true;
      });
    }
    Optional<String> value = params.variable(variable);
    if (value.isEmpty()) {
      params.problem(key, "required (or set environment variable " + variable + ")");
      return Optional.empty();
    }
    if (!format.matcher(value.get()).matches()) {
      params.problem(key, "environment variable " + variable + " must be " + what);
      return Optional.empty();
    }
    return value;
  }

  /** What is wrong with inline service-account JSON, in words that never quote it; empty when nothing is. */
  private static Optional<String> serviceAccountProblem(String json) {
    JsonNode key;
    try {
      key = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return Optional.of("inline service account JSON cannot be parsed");
    }
    if (!key.path("type").asText("").equals("service_account")) {
      return Optional.of("must be a service account key (\"type\": \"service_account\"), or a path to one");
    }
    for (String field : List.of("client_email", "private_key")) {
      if (!key.path(field).isTextual() || key.path(field).asText().isBlank()) {
        return Optional.of("the service account key has no " + field);
      }
    }
    return Optional.empty();
  }

  /** Claude on Vertex AI caches at markers, as Anthropic's; Gemini implicitly, as through the Gemini API. */
  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return VertexSettings.servesGemini(upstreamModel) ? GeminiProvider.implicitCache(upstreamModel)
        : CacheBehaviour.CLAUDE_MARKERS;
  }

  @Override
  public UpstreamCalls verticle() {
    return new VertexVerticle();
  }

  /** The node's Vertex verticles share one token per deployment ({@link VertexAccessTokens}). */
  @Override
  public Supplier<UpstreamCalls> verticles() {
    AtomicReference<VertexAccessTokens> node = new AtomicReference<>();
    return () -> new VertexVerticle(VertexCredentialSource.standard(), Clock.systemUTC(), node);
  }
}
