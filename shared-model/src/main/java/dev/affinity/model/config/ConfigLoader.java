package dev.affinity.model.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a LiteLLM-style {@code config.yaml} into a {@link GatewayConfig}, validating all of it: a file with problems
 * fails with a {@link ConfigException} that lists every problem found, each with its exact path. Unknown keys are
 * warnings, never failures, so that a LiteLLM file works unchanged for the features Affinity supports.
 *
 * <p>{@code os.environ/NAME} in any string value is replaced by the variable from the {@code env} map given (usually
 * {@link System#getenv()}), which keeps loading a pure function of its inputs.
 */
public final class ConfigLoader {

  private static final YAMLMapper YAML = YAMLMapper.builder()
      // A repeated key silently dropping the first value is exactly the mistake validation is here to catch.
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final String PROMPT_CACHING_CHECK = "prompt_caching";
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");
  /** LiteLLM strategies Affinity does not implement: accepted with a warning so LiteLLM files keep loading. */
  private static final Set<String> LITELLM_ONLY_STRATEGIES = Set.of(
      "usage-based-routing", "usage-based-routing-v2", "latency-based-routing", "cost-based-routing");

  /** The keys that make a deployment without provider prefix a Bedrock one, as in LiteLLM. */
  private static final List<String> AWS_KEYS = List.of("aws_profile_name", "aws_region_name", "aws_access_key_id",
      "aws_secret_access_key", "aws_session_token", "aws_bedrock_runtime_endpoint");
  /** Where the AWS SDKs look for a region when none is configured. */
  private static final List<String> REGION_VARIABLES = List.of("AWS_REGION", "AWS_DEFAULT_REGION");
  private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  /** The keys only Vertex AI deployments use. */
  private static final List<String> VERTEX_KEYS = List.of("vertex_project", "vertex_location", "vertex_credentials");
  /** Where LiteLLM looks for a Vertex project and location when a deployment names none. */
  private static final String PROJECT_VARIABLE = "VERTEXAI_PROJECT";
  private static final String LOCATION_VARIABLE = "VERTEXAI_LOCATION";
  /** A project id (optionally domain-scoped, {@code example.com:my-project}) or a project number. */
  private static final Pattern GCP_PROJECT = Pattern.compile("([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]+");
  private static final Pattern VERTEX_LOCATION = Pattern.compile(VertexSettings.GLOBAL + "|[a-z]+-[a-z]+[0-9]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Findings findings = new Findings();
  private final Map<String, String> env;

  private ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** Reads and validates {@code file}; {@code os.environ/NAME} values are looked up in {@code env}. */
  public static GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of(new ConfigProblem("", "cannot read file: " + e)));
    }
    return new ConfigLoader(env).read(file.toString(), yaml);
  }

  /** Validates {@code yaml}, the content of a configuration file. */
  public static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(env).read("(inline)", yaml);
  }

  private GatewayConfig read(String source, String yaml) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    JsonNode tree = tree(yaml);
    if (tree == null) {
      throw new ConfigException(source, findings.problems());
    }
    if (tree.isMissingNode() || tree.isNull()) {
      findings.problem("", "the configuration is empty: it needs at least a model_list");
    } else if (!tree.isObject()) {
      findings.problem("", "the configuration must be a mapping of sections (model_list, router_settings, ...)");
    } else {
      GatewayConfig config = read(Section.of("", tree, findings, env).orElseThrow());
      if (findings.problemCount() == 0) {
        return config;
      }
    }
    throw new ConfigException(source, findings.problems());
  }

  /** The YAML tree, or {@code null} when the text is not valid YAML (the problem is recorded). */
  private JsonNode tree(String yaml) {
    try {
      rejectAliases(yaml);
      return findings.problemCount() == 0 ? YAML.readTree(yaml) : null;
    } catch (JsonProcessingException e) {
      findings.problem("", syntaxError(e));
      return null;
    }
  }

  /**
   * Jackson reads an alias ({@code *name}) as the plain string {@code "name"}, which would silently turn an
   * {@code api_key: *key} into a wrong key: refuse aliases rather than misread them.
   */
  private void rejectAliases(String yaml) throws JsonProcessingException {
    try (JsonParser parser = YAML.createParser(yaml)) {
      while (parser.nextToken() != null) {
        if (parser instanceof YAMLParser yamlParser && yamlParser.isCurrentAlias()) {
          JsonLocation at = parser.currentTokenLocation();
          findings.problem(pathOf(parser.getParsingContext()), "line " + at.getLineNr() + ", column "
              + at.getColumnNr() + ": YAML aliases (*name) are not supported, repeat the value instead");
        }
      }
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("reading from a string cannot fail", e);
    }
  }

  /** Line, column and cause of a syntax error, without the excerpt of the file that parsers quote: it may hold a key. */
  private static String syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
      return "invalid YAML at line " + (marked.getProblemMark().getLine() + 1) + ", column "
          + (marked.getProblemMark().getColumn() + 1) + ": " + context + marked.getProblem();
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String message = e.getOriginalMessage();
    // Jackson's own message is safe to show only when it is the duplicate-key one (it names a key, not a value).
    String cause = message != null && message.startsWith("Duplicate field ")
        ? "duplicate key " + message.substring("Duplicate field ".length())
        : "cannot be parsed";
    return "invalid YAML" + where + ": " + cause;
  }

  private static String pathOf(JsonStreamContext context) {
    if (context == null || context.inRoot()) {
      return "";
    }
    String parent = pathOf(context.getParent());
    return context.inArray()
        ? Section.element(parent, context.getCurrentIndex())
        : Section.child(parent, Objects.requireNonNullElse(context.getCurrentName(), ""));
  }

  private GatewayConfig read(Section root) {
    List<Draft> drafts = new ArrayList<>();
    if (!root.has("model_list")) {
      root.problem("model_list", "required: list the deployments clients can use");
    } else {
      int before = findings.problemCount();
      root.sections("model_list").ifPresent(entries -> {
        if (entries.isEmpty() && findings.problemCount() == before) {
          root.problem("model_list", "must list at least one deployment");
        }
        Map<String, String> givenIds = new HashMap<>();
        entries.forEach(entry -> draft(entry, givenIds).ifPresent(drafts::add));
      });
    }
    RouterSettings router = root.section("router_settings").map(this::router).orElse(RouterSettings.DEFAULTS);
    GeneralSettings general = root.section("general_settings").map(this::general).orElse(GeneralSettings.DEFAULTS);
    root.ignore("litellm_settings", "section not supported by Affinity, ignored");
    root.ignore("environment_variables",
        "section not supported by Affinity, ignored: os.environ/ values come from the process environment");
    root.warnUnknownKeys();
    return new GatewayConfig(deployments(drafts, router), router, general, findings.warnings());
  }

  /** A {@code model_list} entry as written, before ids and defaults that depend on other entries are settled. */
  private record Draft(String path, String givenId, String alias, ProviderKind provider, String model, String apiBase,
                       Secret apiKey, double weight, Integer rpm, Integer tpm, Duration timeout,
                       List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope, AwsSettings aws,
                       VertexSettings vertex) {
  }

  private record Upstream(ProviderKind provider, String model, boolean selfHosted) {
  }

  private Optional<Draft> draft(Section entry, Map<String, String> givenIds) {
    int before = findings.problemCount();
    Optional<String> alias = entry.requiredString("model_name");
    alias.filter(a -> ModelPattern.wildcardCount(a) > 1)
        .ifPresent(a -> entry.problem("model_name", "may contain at most one '*'"));
    Optional<Section> params = entry.requiredSection("litellm_params");
    ModelInfo info = entry.section("model_info").map(this::modelInfo).orElse(ModelInfo.NONE);
    if (info.id() != null) {
      String previous = givenIds.putIfAbsent(info.id(), entry.path());
      if (previous != null) {
        entry.problem("model_info.id", "duplicate id '" + info.id() + "', also used by " + previous);
      }
    }
    entry.warnUnknownKeys();
    if (params.isEmpty()) {
      return Optional.empty();
    }
    Section p = params.get();
    Optional<Upstream> upstream = p.requiredString("model").flatMap(model -> upstream(p, model, info));
    upstream.map(Upstream::model).filter(ModelPattern::isWildcard).ifPresent(model -> {
      if (ModelPattern.wildcardCount(model) > 1) {
        p.problem("model", "may contain at most one '*'");
      } else if (alias.isPresent() && !ModelPattern.isWildcard(alias.get())) {
        p.problem("model", "contains '*' but model_name does not: there is nothing to substitute");
      }
    });
    boolean bedrock = upstream.filter(u -> u.provider() == ProviderKind.BEDROCK).isPresent();
    boolean vertex = upstream.filter(u -> u.provider() == ProviderKind.VERTEX).isPresent();
    Optional<String> apiBase = bedrock ? bedrockEndpoint(p)
        : p.string("api_base").flatMap(base -> apiBase(p, "api_base", base,
            vertex ? "https://us-east5-aiplatform.googleapis.com" : "https://api.anthropic.com"));
    Optional<AwsSettings> aws = bedrock ? aws(p) : Optional.empty();
    Optional<VertexSettings> vertexSettings = vertex ? vertex(p) : Optional.empty();
    Optional<Secret> apiKey = bedrock || vertex ? Optional.of(Secret.NONE) : upstream.flatMap(u -> apiKey(p, u));
    if (!bedrock) {
      AWS_KEYS.forEach(key -> p.ignore(key, "only used by Bedrock deployments, ignored"));
    }
    if (!vertex) {
      VERTEX_KEYS.forEach(key -> p.ignore(key, "only used by Vertex AI deployments, ignored"));
    }
    upstream.filter(Upstream::selfHosted).filter(u -> !p.has("api_base"))
        .ifPresent(u -> p.problem("api_base", "required for a self-hosted server (e.g. http://10.0.0.5:8000/v1)"));
    double weight = p.number("weight", true).orElse(1.0);
    Integer rpm = p.integer("rpm", 1).orElse(null);
    Integer tpm = p.integer("tpm", 1).orElse(null);
    Duration timeout = p.seconds("timeout").orElse(null);
    List<InjectionPoint> injectionPoints = p.sections("cache_control_injection_points")
        .map(points -> points.stream().map(this::injectionPoint).flatMap(Optional::stream).toList())
        .orElse(List.of());
    String cacheScope = p.string("cache_scope").orElse(null);
    p.warnUnknownKeys();
    if (findings.problemCount() > before) {
      return Optional.empty();
    }
    Upstream target = upstream.orElseThrow();
    String endpoint = apiBase.orElseGet(() -> aws.map(AwsSettings::defaultEndpoint)
        .or(() -> vertexSettings.map(VertexSettings::defaultEndpoint))
        .orElseGet(() -> target.provider().defaultApiBase()));
    return Optional.of(new Draft(entry.path(), info.id(), alias.orElseThrow(), target.provider(), target.model(),
        endpoint, apiKey.orElseThrow(), weight, rpm, tpm, timeout, injectionPoints, info, cacheScope,
        aws.orElse(null), vertexSettings.orElse(null)));
  }

  /**
   * {@code anthropic/claude-sonnet-4-5} → (ANTHROPIC, {@code claude-sonnet-4-5}). A model without a known prefix is a
   * Bedrock one when {@code model_info.litellm_provider} says so or AWS keys are present, as in LiteLLM.
   */
  private Optional<Upstream> upstream(Section params, String model, ModelInfo info) {
    int slash = model.indexOf('/');
    String prefix = slash > 0 ? model.substring(0, slash) : "";
    Optional<ProviderKind> provider = ProviderKind.fromPrefix(prefix);
    if (provider.isEmpty() && (bedrockProvider(info) || AWS_KEYS.stream().anyMatch(params::has))) {
      return bedrockModel(params, model);
    }
    if (slash <= 0) {
      if (model.startsWith("claude")) {
        // LiteLLM infers the provider of bare Claude model names; so do we.
        return Optional.of(new Upstream(ProviderKind.ANTHROPIC, model, false));
      }
      params.problem("model", "unsupported provider: no provider prefix (supported: "
          + ProviderKind.supportedPrefixes() + "), e.g. anthropic/claude-sonnet-4-5");
      return Optional.empty();
    }
    if (provider.isEmpty()) {
      params.problem("model", "unsupported provider '" + prefix + "' (supported: "
          + ProviderKind.supportedPrefixes() + ")");
      return Optional.empty();
    }
    String id = model.substring(slash + 1);
    if (id.isBlank()) {
      params.problem("model", "model id missing after '" + prefix + "/'");
      return Optional.empty();
    }
    if (provider.get() == ProviderKind.BEDROCK) {
      return bedrockModel(params, id);
    }
    if (provider.get() == ProviderKind.VERTEX && !id.startsWith("claude") && !VertexSettings.servesGemini(id)
        && !ModelPattern.isWildcard(id)) {
      params.problem("model", "only Anthropic Claude and Google Gemini models are supported on Vertex AI,"
          + " e.g. vertex_ai/claude-sonnet-4-5@20250929 or vertex_ai/gemini-2.5-flash");
      return Optional.empty();
    }
    return Optional.of(new Upstream(provider.get(), id, provider.get().selfHosted(prefix)));
  }

  /** LiteLLM writes {@code bedrock} (InvokeModel) or {@code bedrock_converse}. */
  private static boolean bedrockProvider(ModelInfo info) {
    return info.litellmProvider() != null && info.litellmProvider().startsWith(ProviderKind.BEDROCK.prefix());
  }

  /**
   * A Bedrock model id, after LiteLLM's route prefixes: {@code invoke/} is what Affinity does anyway, and
   * {@code converse/} is served the same way (the client speaks the Messages API either way, and InvokeModel takes
   * that body as it is), with a warning.
   */
  private Optional<Upstream> bedrockModel(Section params, String model) {
    String id = model;
    if (id.startsWith("invoke/")) {
      id = id.substring("invoke/".length());
    } else if (id.startsWith("converse/")) {
      id = id.substring("converse/".length());
      findings.warning(params.path("model"),
          "Affinity calls Bedrock's InvokeModel API with the Messages body: converse/ is served as invoke/");
    }
    if (id.isBlank()) {
      params.problem("model", "Bedrock model id missing");
      return Optional.empty();
    }
    // Only Claude speaks the Messages body; an ARN (application inference profile) does not say, so it is trusted.
    if (!id.contains("anthropic.") && !id.startsWith("arn:") && !ModelPattern.isWildcard(id)) {
      params.problem("model", "only Anthropic models are supported on Bedrock,"
          + " e.g. bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
      return Optional.empty();
    }
    return Optional.of(new Upstream(ProviderKind.BEDROCK, id, false));
  }

  /** {@code aws_bedrock_runtime_endpoint}, or {@code api_base} as LiteLLM also accepts; empty for the default one. */
  private static Optional<String> bedrockEndpoint(Section params) {
    boolean endpoint = params.has("aws_bedrock_runtime_endpoint");
    if (endpoint && params.has("api_base")) {
      params.problem("api_base", "give either api_base or aws_bedrock_runtime_endpoint, not both");
      return Optional.empty();
    }
    String key = endpoint ? "aws_bedrock_runtime_endpoint" : "api_base";
    return params.string(key)
        .flatMap(base -> apiBase(params, key, base, "https://bedrock-runtime.us-west-2.amazonaws.com"));
  }

  /**
   * Region and credential source of a Bedrock deployment. Credentials themselves are not looked up here: a profile
   * may exist only on the machines that serve, and it may change while the gateway runs.
   */
  private Optional<AwsSettings> aws(Section params) {
    int before = findings.problemCount();
    Optional<String> region = region(params);
    Optional<String> profile = params.string("aws_profile_name");
    Optional<Secret> keyId = params.secret("aws_access_key_id");
    Optional<Secret> secretKey = params.secret("aws_secret_access_key");
    Optional<Secret> token = params.secret("aws_session_token");
    boolean hasKeyId = params.has("aws_access_key_id");
    boolean hasSecretKey = params.has("aws_secret_access_key");
    if (hasKeyId && !hasSecretKey) {
      params.problem("aws_secret_access_key", "required with aws_access_key_id");
    } else if (hasSecretKey && !hasKeyId) {
      params.problem("aws_access_key_id", "required with aws_secret_access_key");
    }
    if (params.has("aws_session_token") && !hasKeyId && !hasSecretKey) {
      params.problem("aws_session_token", "only used with aws_access_key_id and aws_secret_access_key");
    }
    if (params.has("aws_profile_name") && (hasKeyId || hasSecretKey)) {
      params.problem("aws_profile_name",
          "give either a profile or keys (aws_access_key_id, aws_secret_access_key), not both");
    }
    if (params.has("api_key")) {
      params.problem("api_key", "not used by Bedrock deployments: give aws_profile_name, or aws_access_key_id and"
          + " aws_secret_access_key, or neither for the default AWS credential chain");
    }
    if (findings.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new AwsSettings(region.orElseThrow(), profile.orElse(null), keyId.orElse(null),
        secretKey.orElse(null), token.orElse(null)));
  }

  /**
   * Project, location and credentials of a Vertex AI deployment. A credentials file is not read here (it may exist
   * only on the machines that serve); inline JSON is checked to be a service account key, without ever quoting it.
   */
  private Optional<VertexSettings> vertex(Section params) {
    int before = findings.problemCount();
    Optional<String> project = keyOrVariable(params, "vertex_project", PROJECT_VARIABLE, GCP_PROJECT,
        "a Google Cloud project id, e.g. my-project-123");
    Optional<String> location = keyOrVariable(params, "vertex_location", LOCATION_VARIABLE, VERTEX_LOCATION,
        "a Vertex AI region such as us-east5, or global");
    Optional<Secret> credentials = params.secret("vertex_credentials");
    credentials.filter(json -> json.value().stripLeading().startsWith("{"))
        .ifPresent(json -> serviceAccountProblem(json.value())
            .ifPresent(problem -> params.problem("vertex_credentials", problem)));
    if (params.has("api_key")) {
      params.problem("api_key", "not used by Vertex AI deployments: give vertex_credentials (a service account key"
          + " file, or its JSON), or neither for Google's application default credentials");
    }
    if (findings.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new VertexSettings(project.orElseThrow(), location.orElseThrow(), credentials.orElse(null)));
  }

  /** {@code key}, or else environment variable {@code variable}, matching {@code format}. */
  private Optional<String> keyOrVariable(Section params, String key, String variable, Pattern format, String what) {
    if (params.has(key)) {
      return params.string(key).filter(value -> {
        if (!format.matcher(value).matches()) {
          params.problem(key, "must be " + what);
          return false;
        }
        return true;
      });
    }
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      params.problem(key, "required (or set environment variable " + variable + ")");
      return Optional.empty();
    }
    if (!format.matcher(value.trim()).matches()) {
      params.problem(key, "environment variable " + variable + " must be " + what);
      return Optional.empty();
    }
    return Optional.of(value.trim());
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

  /** {@code aws_region_name}, or the region the AWS SDKs would take from the environment. */
  private Optional<String> region(Section params) {
    if (params.has("aws_region_name")) {
      return params.string("aws_region_name").filter(region -> {
        if (!AWS_REGION.matcher(region).matches()) {
          params.problem("aws_region_name", "must be an AWS region name, e.g. us-west-2");
          return false;
        }
        return true;
      });
    }
    for (String variable : REGION_VARIABLES) {
      String region = env.get(variable);
      if (region != null && !region.isBlank()) {
        if (AWS_REGION.matcher(region.trim()).matches()) {
          return Optional.of(region.trim());
        }
        params.problem("aws_region_name", "environment variable " + variable
            + " is not an AWS region name (e.g. us-west-2)");
        return Optional.empty();
      }
    }
    params.problem("aws_region_name", "required (or set environment variable "
        + String.join(" or ", REGION_VARIABLES) + ")");
    return Optional.empty();
  }

  /** An http(s) URL without trailing slash; the value is never quoted in the problem (it may embed credentials). */
  private static Optional<String> apiBase(Section params, String key, String base, String example) {
    try {
      URI uri = new URI(base);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
          && uri.getRawQuery() == null && uri.getRawFragment() == null) {
        String normalized = base;
        while (normalized.endsWith("/")) {
          normalized = normalized.substring(0, normalized.length() - 1);
        }
        return Optional.of(normalized);
      }
    } catch (URISyntaxException e) {
      // reported below, like any other value that is not an http(s) URL
    }
    params.problem(key, "must be an http(s) URL without query or fragment, e.g. " + example);
    return Optional.empty();
  }

  /** {@code api_key}, or, as LiteLLM does, the provider's usual environment variable when the key is absent. */
  private Optional<Secret> apiKey(Section params, Upstream upstream) {
    if (params.has("api_key")) {
      return params.secret("api_key");
    }
    ProviderKind provider = upstream.provider();
    String fallback = env.get(provider.defaultKeyVariable());
    if ((fallback == null || fallback.isBlank()) && upstream.selfHosted()) {
      return Optional.of(Secret.NONE); // a self-hosted server without authentication
    }
    if (fallback == null || fallback.isBlank()) {
      params.problem("api_key", "required (or set environment variable " + provider.defaultKeyVariable() + ")");
      return Optional.empty();
    }
    return Optional.of(new Secret(fallback));
  }

  private Optional<InjectionPoint> injectionPoint(Section point) {
    int before = findings.problemCount();
    point.requiredString("location")
        .filter(location -> !location.equals(InjectionPoint.MESSAGE))
        .ifPresent(location -> point.problem("location", "must be 'message' (the only location supported)"));
    boolean hasRole = point.has("role");
    boolean hasIndex = point.has("index");
    if (hasRole == hasIndex) {
      findings.problem(point.path(), "needs exactly one of role (system, user, assistant) or index");
    }
    Optional<String> role = point.string("role");
    role.filter(r -> !ROLES.contains(r))
        .ifPresent(r -> point.problem("role", "must be one of system, user, assistant"));
    Optional<Integer> index = point.integer("index");
    point.warnUnknownKeys();
    if (findings.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(role.map(InjectionPoint::forRole).orElseGet(() -> InjectionPoint.atIndex(index.orElseThrow())));
  }

  private ModelInfo modelInfo(Section info) {
    ModelInfo read = new ModelInfo(
        info.string("id").orElse(null),
        info.number("input_cost_per_token", false).orElse(null),
        info.number("output_cost_per_token", false).orElse(null),
        info.number("cache_creation_input_token_cost", false).orElse(null),
        info.number("cache_read_input_token_cost", false).orElse(null),
        info.integer("min_cacheable_tokens", 0).orElse(null),
        info.string("litellm_provider").orElse(null));
    info.warnUnknownKeys();
    return read;
  }

  private RouterSettings router(Section router) {
    String strategy = router.string("routing_strategy").map(name -> {
      if (RouterSettings.STRATEGIES.contains(name)) {
        return name;
      }
      if (LITELLM_ONLY_STRATEGIES.contains(name)) {
        findings.warning(router.path("routing_strategy"),
            "'" + name + "' is not supported by Affinity, using " + RouterSettings.SIMPLE_SHUFFLE);
      } else {
        router.problem("routing_strategy", "must be one of " + String.join(", ", RouterSettings.STRATEGIES));
      }
      return RouterSettings.SIMPLE_SHUFFLE;
    }).orElse(RouterSettings.SIMPLE_SHUFFLE);

    Optional<List<String>> checks = router.strings("optional_pre_call_checks");
    checks.ifPresent(names -> names.stream().filter(name -> !name.equals(PROMPT_CACHING_CHECK)).forEach(name ->
        findings.warning(router.path("optional_pre_call_checks"), "'" + name + "' is not supported, ignored")));
    Optional<Boolean> checksAskForCaching = checks.map(names -> names.contains(PROMPT_CACHING_CHECK));
    Optional<Boolean> affinity = router.bool("enable_prompt_cache_affinity");
    if (affinity.isPresent() && checksAskForCaching.isPresent() && !affinity.equals(checksAskForCaching)) {
      findings.warning(router.path("enable_prompt_cache_affinity"),
          "overrides optional_pre_call_checks: prompt cache affinity is " + (affinity.get() ? "on" : "off"));
    }
    // On unless turned off: a list of pre-call checks without prompt_caching is a LiteLLM file saying "off".
    boolean promptCaching = affinity.or(() -> checksAskForCaching).orElse(true);

    int numRetries = router.integer("num_retries", 0).orElse(RouterSettings.DEFAULT_NUM_RETRIES);
    Duration timeout = router.seconds("timeout").orElse(RouterSettings.DEFAULT_TIMEOUT);
    int allowedFails = router.integer("allowed_fails", 0).orElse(RouterSettings.DEFAULT_ALLOWED_FAILS);
    Duration cooldown = router.seconds("cooldown_time").orElse(RouterSettings.DEFAULT_COOLDOWN_TIME);
    Duration retryAfter = router.number("retry_after", false)
        .map(seconds -> Duration.ofMillis(Math.round(seconds * 1000)))
        .orElse(RouterSettings.DEFAULT_RETRY_AFTER);
    Duration warmUpWait = router.number("warm_up_wait", false)
        .map(seconds -> Duration.ofMillis(Math.round(seconds * 1000)))
        .orElse(RouterSettings.DEFAULT_WARM_UP_WAIT);
    int hotPrefix = router.integer("hot_prefix_deployments", 1)
        .orElse(RouterSettings.DEFAULT_HOT_PREFIX_DEPLOYMENTS);
    router.warnUnknownKeys();
    return new RouterSettings(strategy, promptCaching, numRetries, timeout, allowedFails, cooldown, retryAfter,
        warmUpWait, hotPrefix);
  }

  private GeneralSettings general(Section general) {
    Secret masterKey = general.secret("master_key").orElse(null);
    long maxRequestBytes = general.number("max_request_size_mb", true)
        .map(mb -> Math.max(1, Math.round(mb * 1024 * 1024)))
        .orElse(GeneralSettings.DEFAULT_MAX_REQUEST_BYTES);
    int maxParallelRequests = general.integer("global_max_parallel_requests", 1).orElse(0);
    // 0 is a valid answer here: stop at once, without waiting for requests in flight
    long drainTimeoutMillis = general.number("drain_timeout", false)
        .map(seconds -> Math.round(seconds * 1000))
        .orElse(GeneralSettings.DEFAULT_DRAIN_TIMEOUT.toMillis());
    general.warnUnknownKeys();
    return new GeneralSettings(masterKey, maxRequestBytes, maxParallelRequests, drainTimeoutMillis);
  }

  private List<Deployment> deployments(List<Draft> drafts, RouterSettings router) {
    Map<String, String> taken = new HashMap<>();
    drafts.stream().filter(d -> d.givenId() != null).forEach(d -> taken.putIfAbsent(d.givenId(), d.path()));
    Map<String, Integer> derivedCount = new HashMap<>();
    List<Deployment> deployments = new ArrayList<>();
    for (Draft draft : drafts) {
      String id = draft.givenId();
      if (id == null) {
        String derived = derivedId(draft);
        int ordinal = derivedCount.merge(derived, 1, Integer::sum);
        // Entries that differ only by api_key derive the same id; number them in file order.
        id = ordinal == 1 ? derived : derived + "-" + ordinal;
        String owner = taken.putIfAbsent(id, draft.path());
        if (owner != null) {
          findings.problem(draft.path(), "derived id '" + id + "' is already the model_info.id of " + owner
              + "; give this deployment a model_info.id");
        }
      }
      deployments.add(new Deployment(id, draft.alias(), draft.provider(), draft.model(), draft.apiBase(),
          draft.apiKey(), draft.weight(), draft.rpm(), draft.tpm(),
          Objects.requireNonNullElse(draft.timeout(), router.timeout()), draft.injectionPoints(), draft.info(),
          cacheScope(draft, id), draft.aws(), draft.vertex()));
    }
    return deployments;
  }

  /**
   * The configured scope; else a Bedrock deployment shares its account's cache in its region, a Vertex AI one its
   * project's, and others have their own.
   */
  private static String cacheScope(Draft draft, String id) {
    if (draft.cacheScope() != null) {
      return draft.cacheScope();
    }
    if (draft.aws() != null) {
      return draft.aws().defaultCacheScope();
    }
    return draft.vertex() != null ? draft.vertex().defaultCacheScope() : id;
  }

  /**
   * {@code dep-} and 10 hex digits of SHA-256 over the non-secret fields that say where requests go. Every node
   * derives the same id from the same file, and rotating a key keeps the id (and so the pins). Changing this encoding
   * renames every deployment: pins made under old ids are lost.
   */
  private static String derivedId(Draft draft) {
    List<String> fields = new ArrayList<>(List.of(draft.alias(), draft.provider().prefix() + "/" + draft.model(),
        draft.apiBase(), Objects.requireNonNullElse(draft.cacheScope(), "")));
    if (draft.aws() != null) {
      // Bedrock only, so that the ids of other deployments stay as they were. The keys are never part of it.
      fields.add(Objects.requireNonNullElse(draft.aws().profileName(), ""));
      fields.add(draft.aws().region());
    }
    if (draft.vertex() != null) {
      // Vertex only, likewise; the credentials (a path, or a private key) are not.
      fields.add(draft.vertex().project());
      fields.add(draft.vertex().location());
    }
    StringBuilder canonical = new StringBuilder();
    for (String field : fields) {
      // Length-prefixed so that no two different field lists encode alike.
      canonical.append(field.length()).append(':').append(field).append(';');
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return "dep-" + HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a mandatory JDK algorithm", e);
    }
  }
}
