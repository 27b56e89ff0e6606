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
import java.util.LinkedHashMap;
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
  /** LiteLLM's other spellings of the Vertex keys: the same meaning, one of the two per deployment. */
  private static final Map<String, String> VERTEX_SPELLINGS = Map.of(
      "vertex_ai_project", "vertex_project", "vertex_ai_location", "vertex_location");

  /** LiteLLM prefixes whose API Affinity does not speak, with the reason when it is not just "unsupported". */
  private static final Map<String, String> UNSERVED_PREFIXES = Map.of(
      "text-completion-openai", "text-completion-openai/ is OpenAI's legacy Completions API, which Affinity does not"
          + " serve (use openai/ with a chat model)",
      "bedrock_converse", "provider 'bedrock_converse/' is not supported by Affinity (use bedrock/)");
  /**
   * The bare ids LiteLLM places with OpenAI: GPT and o-series models, fine-tunes of them, ChatGPT, and OpenAI's
   * models of other APIs (which are then skipped as not chat).
   */
  private static final Pattern OPENAI_MODEL = Pattern.compile(
      "(ft:)?gpt-.*|chatgpt-.*|o[1-9](-.*)?|text-embedding-.*|dall-e-.*|whisper-.*|tts-.*|davinci-.*|babbage-.*");
  /** OpenAI models of other APIs than Chat Completions. */
  private static final Pattern NOT_CHAT_MODEL = Pattern.compile(
      "embedding|-instruct|^gpt-image|^dall-e|^whisper|^tts-|-tts|-transcribe|-realtime|^davinci|^babbage");
  /** LiteLLM's default request parameters in {@code litellm_params}, which LiteLLM merges into each call. */
  private static final List<String> LITELLM_CALL_PARAMETERS = List.of("temperature", "max_tokens",
      "max_completion_tokens", "top_p", "stop", "seed", "frequency_penalty", "presence_penalty", "response_format",
      "reasoning_effort", "thinking");
  /** RFC 9110 field names. */
  private static final Pattern HTTP_TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** Headers the gateway computes per call: an extra header must not replace them. */
  private static final Set<String> FORBIDDEN_EXTRA_HEADERS = Set.of("content-length", "content-type", "host",
      "transfer-encoding", "connection");
  /** Where LiteLLM takes the master key from when the file has none. */
  private static final String MASTER_KEY_VARIABLE = "LITELLM_MASTER_KEY";
  private static final String AZURE_VERSION_VARIABLE = "AZURE_API_VERSION";
  private static final Pattern API_VERSION = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?|v1|latest|preview");

  private final Findings findings = new Findings();
  private Map<String, String> env;
  /** {@code router_settings.stream_timeout}: the default of each deployment's. */
  private Duration streamTimeout;

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
      env = withEnvironmentVariables(tree.get("environment_variables"));
      GatewayConfig config = read(Section.of("", tree, findings, env).orElseThrow());
      if (findings.problemCount() == 0) {
        return config;
      }
    }
    throw new ConfigException(source, findings.problems());
  }

  /**
   * The process environment with {@code environment_variables} set over it, as LiteLLM sets them into its own
   * environment at start-up: {@code os.environ/NAME} anywhere in the file, and the provider variables read when a key
   * is absent, see them. A value may itself be {@code os.environ/OTHER}, resolved from the process environment.
   */
  private Map<String, String> withEnvironmentVariables(JsonNode variables) {
    if (variables == null || variables.isNull()) {
      return env;
    }
    String path = "environment_variables";
    if (!variables.isObject()) {
      findings.problem(path, "must be a mapping of variable names to values");
      return env;
    }
    Map<String, String> merged = new HashMap<>(env);
    variables.fields().forEachRemaining(variable -> {
      String at = Section.child(path, variable.getKey());
      JsonNode value = variable.getValue();
      if (value.isNull()) {
        return;
      }
      if (!value.isValueNode()) {
        findings.problem(at, "must be a string, number or boolean");
        return;
      }
      String text = value.asText();
      if (text.startsWith(Section.ENV_PREFIX)) {
        String name = text.substring(Section.ENV_PREFIX.length());
        String resolved = env.get(name);
        if (resolved == null || resolved.isBlank()) {
          findings.problem(at, "environment variable " + name + " is not set");
          return;
        }
        text = resolved;
      }
      merged.put(variable.getKey(), text);
    });
    return Map.copyOf(merged);
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
    root.has("environment_variables"); // read before everything else, see environmentVariables()
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
        List<ConfigProblem> skipped = findings.skippedDeployments();
        if (!entries.isEmpty() && skipped.size() == entries.size()) {
          root.problem("model_list", "no deployment can be served by Affinity: " + skipped.stream()
              .map(ConfigProblem::toString).collect(java.util.stream.Collectors.joining("; ")));
        }
      });
    }
    LitellmSettings litellm = root.section("litellm_settings").map(this::litellm).orElse(LitellmSettings.NONE);
    Optional<Section> routerSection = root.section("router_settings");
    RouterSettings router = routerSection.map(section -> router(section, litellm))
        .orElse(litellm.applyTo(RouterSettings.DEFAULTS));
    ModelGroups groups = groups(routerSection, litellm);
    routerSection.ifPresent(Section::warnUnknownKeys);
    GeneralSettings general = withDatabaseFromEnv(root.section("general_settings").map(this::general)
        .orElseGet(() -> masterKeyFromEnvironment()
            .map(key -> new GeneralSettings(key, GeneralSettings.DEFAULT_MAX_REQUEST_BYTES))
            .orElse(GeneralSettings.DEFAULTS)));
    ServerSettings server = root.section("server_settings").map(section -> server(section,
        general.masterKey() != null)).orElse(ServerSettings.DEFAULTS);
    root.warnUnknownKeys();
    GatewayConfig config = new GatewayConfig(deployments(drafts, router), router, general, groups,
        findings.warnings());
    warnUnservedGroups(config);
    return new GatewayConfig(config.deployments(), router, general, groups, findings.warnings(), server);
  }

  /** {@code litellm_settings} keys that set a router default when {@code router_settings} does not. */
  private record LitellmSettings(Duration requestTimeout, Integer numRetries, Optional<Section> section) {
    static final LitellmSettings NONE = new LitellmSettings(null, null, Optional.empty());

    RouterSettings applyTo(RouterSettings router) {
      return new RouterSettings(router.routingStrategy(), router.promptCaching(),
          numRetries != null ? numRetries : router.numRetries(),
          requestTimeout != null ? requestTimeout : router.timeout(), router.allowedFails(), router.cooldownTime(),
          router.retryAfter(), router.warmUpWait(), router.hotPrefixDeployments(), router.balanceAbsThreshold(),
          router.balanceRelThreshold(), router.retryWaitCostPerSecond());
    }
  }

  /**
   * {@code litellm_settings}: the LiteLLM module settings. {@code request_timeout} and {@code num_retries} are the
   * defaults of {@code router_settings.timeout} and {@code num_retries}; {@code drop_params} is accepted (there is
   * nothing to drop, see the deployment's own); fallbacks are read with the router's. Anything else configures
   * LiteLLM's own machinery (callbacks, caches, logging) and is ignored with a warning.
   */
  private LitellmSettings litellm(Section litellm) {
    Duration requestTimeout = litellm.seconds("request_timeout").orElse(null);
    Integer numRetries = litellm.integer("num_retries", 0).orElse(null);
    litellm.bool("drop_params");
    return new LitellmSettings(requestTimeout, numRetries, Optional.of(litellm));
  }

  /**
   * The master key from {@code LITELLM_MASTER_KEY}, as LiteLLM takes it when {@code general_settings.master_key} is
   * absent: a LiteLLM quick start that sets only the variable must not start an open gateway.
   */
  private Optional<Secret> masterKeyFromEnvironment() {
    return variable(MASTER_KEY_VARIABLE).map(Secret::new);
  }

  /** The fallbacks ({@code fallbacks}, {@code context_window_fallbacks}, {@code default_fallbacks}) and aliases. */
  private ModelGroups groups(Optional<Section> router, LitellmSettings litellm) {
    Map<String, List<String>> fallbacks = new LinkedHashMap<>();
    Map<String, List<String>> contextWindow = new LinkedHashMap<>();
    // LiteLLM takes these in litellm_settings too; router_settings wins for an alias given in both
    List<Section> places = new ArrayList<>();
    litellm.section().ifPresent(places::add);
    router.ifPresent(places::add);
    for (Section place : places) {
      fallbacks.putAll(fallbackMap(place, "fallbacks"));
      contextWindow.putAll(fallbackMap(place, "context_window_fallbacks"));
      place.strings("default_fallbacks").ifPresent(list -> fallbacks.put(ModelGroups.EVERY_ALIAS, list));
    }
    litellm.section()
        .ifPresent(section -> section.warnUnreadKeys("LiteLLM setting not supported by Affinity, ignored"));
    Map<String, String> aliases = new LinkedHashMap<>();
    java.util.Set<String> hidden = new java.util.HashSet<>();
    router.flatMap(section -> section.section("model_group_alias")).ifPresent(section -> section.keys()
        .forEach(name -> {
          if (section.isMapping(name)) {
            section.section(name).ifPresent(target -> {
              target.requiredString("model").ifPresent(model -> aliases.put(name, model));
              if (target.bool("hidden").orElse(false)) {
                hidden.add(name);
              }
              target.warnUnknownKeys();
            });
          } else {
            section.string(name).ifPresent(model -> aliases.put(name, model));
          }
        }));
    return new ModelGroups(fallbacks, contextWindow, aliases, hidden);
  }

  /** LiteLLM's form: a list of one-key mappings, {@code [{"gpt-4": ["gpt-4o", "claude"]}]}. */
  private static Map<String, List<String>> fallbackMap(Section section, String key) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    section.sections(key).ifPresent(entries -> entries.forEach(entry -> entry.keys().forEach(alias -> {
      if (entry.isMapping(alias)) {
        entry.problem(alias, "must be a list of model names");
      } else {
        entry.strings(alias).ifPresent(list -> map.put(alias, list));
      }
    })));
    return map;
  }

  /** A fallback or group alias that names no served alias would never work: say so at start-up. */
  private void warnUnservedGroups(GatewayConfig config) {
    ModelGroups groups = config.groups();
    groups.groupAliases().forEach((name, target) -> {
      if (config.deploymentsFor(name).isEmpty()) {
        findings.warning("router_settings.model_group_alias." + name, "'" + target + "' is not a model_name here");
      }
    });
    java.util.function.BiConsumer<String, Map<String, List<String>>> check = (key, map) -> map.forEach(
        (alias, list) -> list.stream().filter(fallback -> config.deploymentsFor(fallback).isEmpty()).forEach(
            fallback -> findings.warning("router_settings." + key + "." + alias,
                "'" + fallback + "' is not a model_name here: that fallback is never tried")));
    check.accept("fallbacks", groups.fallbacks());
    check.accept("context_window_fallbacks", groups.contextWindowFallbacks());
  }

  /** A {@code model_list} entry as written, before ids and defaults that depend on other entries are settled. */
  private record Draft(String path, String givenId, String alias, ProviderKind provider, String model, String apiBase,
                       Secret apiKey, double weight, Integer rpm, Integer tpm, Duration timeout,
                       List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope, AwsSettings aws,
                       VertexSettings vertex, OpenAiSettings openAi, CallSettings calls) {
  }

  /**
   * Where a deployment's model goes: a provider, the upstream model id, and for OpenAI-API deployments which
   * compatible provider; or, when Affinity cannot serve it, why ({@code unservable}), and the entry is skipped.
   */
  private record Upstream(ProviderKind provider, String model, OpenAiCompatible api, String unservable) {

    Upstream(ProviderKind provider, String model) {
      this(provider, model, null, null);
    }

    static Upstream openAi(OpenAiCompatible api, String model) {
      return new Upstream(ProviderKind.OPENAI, model, api, null);
    }

    static Upstream unservable(String why) {
      return new Upstream(null, null, null, why);
    }
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
    if (params.isEmpty()) {
      entry.warnUnknownKeys();
      return Optional.empty();
    }
    Section p = params.get();
    Optional<Upstream> classified = p.requiredString("model").flatMap(model -> upstream(p, model, info));
    if (classified.filter(u -> u.unservable() != null).isPresent()) {
      // a deployment Affinity cannot serve does not stop the others: named in a warning, its keys left unread
      findings.skipped(entry.path(), "deployment '" + alias.orElse("?") + "' skipped: "
          + classified.get().unservable());
      p.acceptAll();
      entry.acceptAll();
      return Optional.empty();
    }
    Optional<Upstream> upstream = classified;
    upstream.map(Upstream::model).filter(ModelPattern::isWildcard).ifPresent(model -> {
      if (ModelPattern.wildcardCount(model) > 1) {
        p.problem("model", "may contain at most one '*'");
      } else if (alias.isPresent() && !ModelPattern.isWildcard(alias.get())) {
        p.problem("model", "contains '*' but model_name does not: there is nothing to substitute");
      }
    });
    boolean bedrock = upstream.filter(u -> u.provider() == ProviderKind.BEDROCK).isPresent();
    boolean vertex = upstream.filter(u -> u.provider() == ProviderKind.VERTEX).isPresent();
    Optional<OpenAiCompatible> openAiApi = upstream.map(Upstream::api);
    Optional<String> apiBase = bedrock ? bedrockEndpoint(p)
        : openAiApi.isPresent() ? openAiBase(p, openAiApi.get())
        : p.string("api_base").flatMap(base -> apiBase(p, "api_base", base,
            vertex ? "https://us-east5-aiplatform.googleapis.com" : "https://api.anthropic.com"));
    Optional<AwsSettings> aws = bedrock ? aws(p) : Optional.empty();
    Optional<VertexSettings> vertexSettings = vertex ? vertex(p) : Optional.empty();
    Optional<Secret> apiKey = bedrock || vertex ? Optional.of(Secret.NONE) : upstream.flatMap(u -> apiKey(p, u));
    OpenAiSettings openAi = openAiApi.map(api -> new OpenAiSettings(api, apiVersion(p, api))).orElse(null);
    if (openAiApi.isEmpty()) {
      p.ignore("api_version", "only used by azure/ and azure_ai/ deployments, ignored");
    }
    if (!bedrock) {
      AWS_KEYS.forEach(key -> p.ignore(key, "only used by Bedrock deployments, ignored"));
    }
    if (!vertex) {
      VERTEX_KEYS.forEach(key -> p.ignore(key, "only used by Vertex AI deployments, ignored"));
      VERTEX_SPELLINGS.keySet().forEach(key -> p.ignore(key, "only used by Vertex AI deployments, ignored"));
    }
    double weight = p.number("weight", true).orElse(1.0);
    Integer rpm = limit(entry, p, "rpm");
    Integer tpm = limit(entry, p, "tpm");
    Duration timeout = p.seconds("timeout").orElse(null);
    List<InjectionPoint> injectionPoints = p.sections("cache_control_injection_points")
        .map(points -> points.stream().map(this::injectionPoint).flatMap(Optional::stream).toList())
        .orElse(List.of());
    String cacheScope = p.string("cache_scope").orElse(null);
    CallSettings calls = calls(p);
    // LiteLLM drops the OpenAI parameters a provider does not take; Affinity relays OpenAI bodies as they are and
    // translates only what the target API has, so there is nothing left to drop
    p.bool("drop_params");
    LITELLM_CALL_PARAMETERS.forEach(key -> p.ignore(key, "LiteLLM default call parameter, not applied:"
        + " Affinity sends the client's body as it is (only model changes)"));
    p.ignore("organization", "not applied: send it with extra_headers: {OpenAI-Organization: ...}");
    p.ignore("num_retries", "per-deployment retries are not supported: use router_settings.num_retries");
    entry.warnUnknownKeys();
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
        aws.orElse(null), vertexSettings.orElse(null), openAi, calls));
  }

  /** {@code rpm} or {@code tpm}: in {@code litellm_params}, or on the entry itself as LiteLLM also reads them. */
  private static Integer limit(Section entry, Section params, String key) {
    Optional<Integer> inParams = params.integer(key, 1);
    Optional<Integer> onEntry = entry.integer(key, 1);
    if (params.has(key) && entry.has(key)) {
      entry.problem(key, "also given as litellm_params." + key + ": give it once");
    }
    return inParams.or(() -> onEntry).orElse(null);
  }

  /** {@code order}, {@code max_parallel_requests}, {@code stream_timeout} and {@code extra_headers}. */
  private CallSettings calls(Section params) {
    Integer order = params.integer("order", 0).orElse(null);
    Integer maxParallel = params.integer("max_parallel_requests", 1).orElse(null);
    Duration streamTimeout = params.seconds("stream_timeout").orElse(null);
    Map<String, Secret> headers = new LinkedHashMap<>();
    params.section("extra_headers").ifPresent(section -> section.keys().forEach(name -> {
      if (!HTTP_TOKEN.matcher(name).matches()) {
        section.problem(name, "must be an HTTP header name");
      } else if (FORBIDDEN_EXTRA_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        section.problem(name, "is set by the gateway itself and cannot be replaced");
      } else {
        section.secret(name).ifPresent(value -> headers.put(name.toLowerCase(Locale.ROOT), value));
      }
    }));
    return new CallSettings(order, maxParallel, streamTimeout, headers);
  }

  /** {@code api_version} of Azure deployments: configured, else {@code AZURE_API_VERSION}, else LiteLLM's default. */
  private String apiVersion(Section params, OpenAiCompatible api) {
    if (api != OpenAiCompatible.AZURE && api != OpenAiCompatible.AZURE_AI) {
      params.ignore("api_version", "only used by azure/ and azure_ai/ deployments, ignored");
      return null;
    }
    Optional<String> configured = params.string("api_version").or(() -> variable(AZURE_VERSION_VARIABLE));
    configured.filter(version -> !API_VERSION.matcher(version).matches())
        .ifPresent(version -> params.problem("api_version", "must be an Azure API version such as "
            + OpenAiCompatible.AZURE_DEFAULT_API_VERSION));
    return configured.orElse(api == OpenAiCompatible.AZURE ? OpenAiCompatible.AZURE_DEFAULT_API_VERSION : null);
  }

  /** A non-blank environment variable. */
  private Optional<String> variable(String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
  }

  /**
   * The endpoint of an OpenAI-API deployment: {@code api_base}, else the provider's variable (as LiteLLM reads
   * {@code GROQ_API_BASE}, {@code AZURE_API_BASE}...), else its default; absent when the provider has none.
   */
  private Optional<String> openAiBase(Section params, OpenAiCompatible api) {
    String example = api.defaultApiBase() != null ? api.defaultApiBase() : "http://10.0.0.5:8000/v1";
    if (params.has("api_base")) {
      return params.string("api_base").flatMap(base -> apiBase(params, "api_base", base, example));
    }
    for (String name : api.baseVariables()) {
      Optional<String> fromVariable = variable(name);
      if (fromVariable.isPresent()) {
        Optional<String> base = httpUrl(fromVariable.get());
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

  /**
   * {@code anthropic/claude-sonnet-4-5} → (ANTHROPIC, {@code claude-sonnet-4-5}). A model without a known prefix is a
   * Bedrock one when {@code model_info.litellm_provider} says so or AWS keys are present, as in LiteLLM; a bare id
   * names its provider as LiteLLM infers it ({@code gpt-*}, {@code o1*}... OpenAI, {@code claude-*} Anthropic,
   * {@code gemini-*} Vertex AI). A model Affinity cannot serve is {@link Upstream#unservable}.
   */
  private Optional<Upstream> upstream(Section params, String model, ModelInfo info) {
    int slash = model.indexOf('/');
    String prefix = slash > 0 ? model.substring(0, slash) : "";
    Optional<ProviderKind> provider = ProviderKind.fromPrefix(prefix);
    Optional<OpenAiCompatible> openAi = OpenAiCompatible.fromPrefix(prefix);
    if (provider.isEmpty() && openAi.isEmpty()
        && (bedrockProvider(info) || AWS_KEYS.stream().anyMatch(params::has))) {
      return bedrockModel(params, model);
    }
    if (slash <= 0) {
      return Optional.of(bareModel(model));
    }
    if (provider.isEmpty() && openAi.isEmpty()) {
      return Optional.of(Upstream.unservable(UNSERVED_PREFIXES.getOrDefault(prefix,
          "provider '" + prefix + "/' is not supported by Affinity") + " (supported: " + supportedPrefixes() + ")"));
    }
    String id = model.substring(slash + 1);
    if (id.isBlank()) {
      params.problem("model", "model id missing after '" + prefix + "/'");
      return Optional.empty();
    }
    if (openAi.isPresent()) {
      return Optional.of(openAi.get() == OpenAiCompatible.OPENAI ? openAiModel(id) : Upstream.openAi(openAi.get(), id));
    }
    if (provider.get() == ProviderKind.BEDROCK) {
      return bedrockModel(params, id);
    }
    if (provider.get() == ProviderKind.VERTEX && !id.startsWith("claude") && !VertexSettings.servesGemini(id)
        && !ModelPattern.isWildcard(id)) {
      return Optional.of(Upstream.unservable("only Anthropic Claude and Google Gemini models are served on Vertex AI,"
          + " e.g. vertex_ai/claude-sonnet-4-5@20250929 or vertex_ai/gemini-2.5-flash"));
    }
    return Optional.of(new Upstream(provider.get(), id));
  }

  /** A model id without provider prefix, placed as LiteLLM places it. */
  private static Upstream bareModel(String model) {
    if (model.startsWith("claude")) {
      return new Upstream(ProviderKind.ANTHROPIC, model);
    }
    if (model.startsWith("gemini-")) {
      // LiteLLM's model table lists bare Gemini ids under vertex_ai, not the Gemini API
      return new Upstream(ProviderKind.VERTEX, model);
    }
    if (OPENAI_MODEL.matcher(model).matches() || model.equals("*")) {
      return openAiModel(model);
    }
    return Upstream.unservable("no provider prefix, and '" + model + "' is not a model whose provider LiteLLM infers"
        + " (write it as provider/model; supported: " + supportedPrefixes() + ")");
  }

  /** An OpenAI model: chat models are served, the other APIs' models (embeddings, images, audio...) are not. */
  private static Upstream openAiModel(String model) {
    if (NOT_CHAT_MODEL.matcher(model).find()) {
      return Upstream.unservable("'" + model + "' is not a Chat Completions model; Affinity serves chat models only");
    }
    return Upstream.openAi(OpenAiCompatible.OPENAI, model);
  }

  /** Every prefix Affinity serves, for messages. */
  private static String supportedPrefixes() {
    return ProviderKind.supportedPrefixes() + ", " + java.util.Arrays.stream(OpenAiCompatible.values())
        .filter(api -> ProviderKind.fromPrefix(api.prefix()).isEmpty())
        .map(OpenAiCompatible::prefix).collect(java.util.stream.Collectors.joining(", "));
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
      return Optional.of(Upstream.unservable("only Anthropic models are served on Bedrock,"
          + " e.g. bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    }
    return Optional.of(new Upstream(ProviderKind.BEDROCK, id));
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
    if (findings.problemCount() > before) {
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
    Optional<String> url = httpUrl(base);
    if (url.isEmpty()) {
      params.problem(key, "must be an http(s) URL without query or fragment, e.g. " + example);
    } else if (url.get().regionMatches(true, 0, "http://", 0, 7)
        && !localOrPrivate(URI.create(url.get()).getHost())) {
      params.findings().warning(params.path(key), "plain http:// to a host that is neither loopback nor a"
          + " private address: the deployment's key and every prompt cross the network in clear; use https://");
    }
    return url;
  }

  /** {@code base} without trailing slash when it is an http(s) URL without query or fragment. */
  private static Optional<String> httpUrl(String base) {
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
      // not an http(s) URL, like any other value that fails the checks above
    }
    return Optional.empty();
  }

  /**
   * Whether a host is this machine or on a private network (RFC 1918, RFC 4193, link-local), where plain HTTP to a
   * self-hosted server is a deployment's own choice. Judged from the literal only: a name is resolved by nobody here.
   */
  static boolean localOrPrivate(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost") || h.endsWith(".internal") || h.endsWith(".local")
        || h.endsWith(".svc") || h.contains(".svc.") || !h.contains(".") && !h.contains(":")) {
      return true;
    }
    if (h.matches("[0-9.]+")) {
      String[] p = h.split("\\.");
      if (p.length != 4) {
        return false;
      }
      int a = Integer.parseInt(p[0]);
      int b = Integer.parseInt(p[1]);
      return a == 127 || a == 10 || a == 172 && b >= 16 && b <= 31 || a == 192 && b == 168 || a == 169 && b == 254;
    }
    return h.equals("::1") || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80:");
  }

  /** {@code api_key}, or, as LiteLLM does, the provider's usual environment variable when the key is absent. */
  private Optional<Secret> apiKey(Section params, Upstream upstream) {
    if (params.has("api_key")) {
      return params.secret("api_key");
    }
    List<String> variables = upstream.api() != null ? upstream.api().keyVariables()
        : List.of(upstream.provider().defaultKeyVariable());
    for (String name : variables) {
      Optional<String> fallback = variable(name);
      if (fallback.isPresent()) {
        return fallback.map(Secret::new);
      }
    }
    if (upstream.api() != null && upstream.api().keyOptional()) {
      return Optional.of(Secret.NONE); // a self-hosted server without authentication
    }
    params.problem("api_key", "required (or set environment variable " + String.join(" or ", variables) + ")");
    return Optional.empty();
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

  private RouterSettings router(Section router, LitellmSettings litellm) {
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

    int numRetries = router.integer("num_retries", 0)
        .orElse(litellm.numRetries() != null ? litellm.numRetries() : RouterSettings.DEFAULT_NUM_RETRIES);
    Duration timeout = router.seconds("timeout")
        .orElse(litellm.requestTimeout() != null ? litellm.requestTimeout() : RouterSettings.DEFAULT_TIMEOUT);
    streamTimeout = router.seconds("stream_timeout").orElse(null);
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
    long balanceAbs = router.integer("balance_abs_threshold", 0)
        .map(Integer::longValue).orElse(RouterSettings.DEFAULT_BALANCE_ABS_THRESHOLD);
    double balanceRel = router.number("balance_rel_threshold", true).map(ratio -> {
      if (ratio < 1) {
        router.problem("balance_rel_threshold", "must be a number >= 1");
        return RouterSettings.DEFAULT_BALANCE_REL_THRESHOLD;
      }
      return ratio;
    }).orElse(RouterSettings.DEFAULT_BALANCE_REL_THRESHOLD);
    double waitCost = router.number("retry_wait_cost_per_second", false)
        .orElse(RouterSettings.DEFAULT_RETRY_WAIT_COST_PER_SECOND);
    return new RouterSettings(strategy, promptCaching, numRetries, timeout, allowedFails, cooldown, retryAfter,
        warmUpWait, hotPrefix, balanceAbs, balanceRel, waitCost);
  }

  /** LiteLLM's fallback: without {@code database_url}, the process environment's {@code DATABASE_URL}. */
  private GeneralSettings withDatabaseFromEnv(GeneralSettings general) {
    String fromEnv = env.get("DATABASE_URL");
    if (general.databaseUrl() != null || fromEnv == null || fromEnv.isBlank()) {
      return general;
    }
    return new GeneralSettings(general.masterKey(), general.maxRequestBytes(), general.maxParallelRequests(),
        general.drainTimeoutMillis(), new Secret(fromEnv.trim()));
  }

  private GeneralSettings general(Section general) {
    Secret masterKey = general.has("master_key") ? general.secret("master_key").orElse(null)
        : masterKeyFromEnvironment().orElse(null);
    long maxRequestBytes = general.number("max_request_size_mb", true)
        .map(mb -> Math.max(1, Math.round(mb * 1024 * 1024)))
        .orElse(GeneralSettings.DEFAULT_MAX_REQUEST_BYTES);
    int maxParallelRequests = general.integer("global_max_parallel_requests", 1).orElse(0);
    // 0 is a valid answer here: stop at once, without waiting for requests in flight
    long drainTimeoutMillis = general.number("drain_timeout", false)
        .map(seconds -> Math.round(seconds * 1000))
        .orElse(GeneralSettings.DEFAULT_DRAIN_TIMEOUT.toMillis());
    Secret databaseUrl = general.secret("database_url").orElse(null);
    general.warnUnknownKeys();
    return new GeneralSettings(masterKey, maxRequestBytes, maxParallelRequests, drainTimeoutMillis, databaseUrl);
  }

  private ServerSettings server(Section server, boolean hasMasterKey) {
    ServerSettings d = ServerSettings.DEFAULTS;
    Duration headerTimeout = server.seconds("request_header_timeout").orElse(d.headerTimeout());
    Duration bodyTimeout = server.seconds("request_body_timeout").orElse(d.bodyTimeout());
    Duration idleTimeout = server.seconds("idle_timeout").orElse(d.idleTimeout());
    int perClient = server.integer("max_connections_per_client", 1).orElse(d.maxConnectionsPerClient());
    boolean h2c = server.bool("http2_cleartext").orElse(false);
    boolean publicWithoutKey = server.bool("allow_public_without_key").orElse(false);
    List<String> hosts = server.strings("allowed_hosts").orElse(List.of());
    Path cert = server.string("tls_cert_file").map(Path::of).orElse(null);
    Path key = server.string("tls_key_file").map(Path::of).orElse(null);
    if ((cert == null) != (key == null)) {
      server.problem(cert == null ? "tls_cert_file" : "tls_key_file",
          "required with " + (cert == null ? "tls_key_file" : "tls_cert_file") + ": TLS needs both");
      cert = null;
      key = null;
    }
    for (Path file : new Path[] {cert, key}) {
      if (file != null && !Files.isReadable(file)) {
        server.problem(file == cert ? "tls_cert_file" : "tls_key_file", "file is not readable");
      }
    }
    long maxUpstream = server.number("max_upstream_response_mb", true)
        .map(mb -> Math.max(1, Math.round(mb * 1024 * 1024))).orElse(d.maxUpstreamResponseBytes());
    Duration total = server.seconds("upstream_total_timeout").orElse(d.upstreamTotalTimeout());
    Duration stall = server.seconds("client_stall_timeout").orElse(d.clientStallTimeout());
    boolean eventBusApi = server.bool("event_bus_api").orElse(false);
    if (eventBusApi && !hasMasterKey) {
      server.problem("event_bus_api", "requires general_settings.master_key: event-bus callers present it");
    }
    server.warnUnknownKeys();
    return new ServerSettings(headerTimeout, bodyTimeout, idleTimeout, perClient, h2c, publicWithoutKey, hosts,
        cert, key, maxUpstream, total, stall, eventBusApi);
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
      CallSettings calls = draft.calls().streamTimeout() != null || streamTimeout == null ? draft.calls()
          : new CallSettings(draft.calls().order(), draft.calls().maxParallelRequests(), streamTimeout,
              draft.calls().extraHeaders());
      deployments.add(new Deployment(id, draft.alias(), draft.provider(), draft.model(), draft.apiBase(),
          draft.apiKey(), draft.weight(), draft.rpm(), draft.tpm(),
          Objects.requireNonNullElse(draft.timeout(), router.timeout()), draft.injectionPoints(), draft.info(),
          cacheScope(draft, id), draft.aws(), draft.vertex(), draft.openAi(), calls));
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
    // OpenAI and self-hosted servers keep the form their ids were first derived in; other compatible providers are
    // named by their own prefix
    String provider = draft.openAi() != null && !draft.openAi().api().namedAsOpenAi()
        ? draft.openAi().api().prefix() : draft.provider().prefix();
    List<String> fields = new ArrayList<>(List.of(draft.alias(), provider + "/" + draft.model(),
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
