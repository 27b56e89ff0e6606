package dev.affinity.model.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.affinity.model.Attribution;
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
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;
import dev.affinity.model.provider.ProviderSettings;
import dev.affinity.model.provider.Providers;
import dev.affinity.model.provider.UpstreamModel;
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
    GatewayConfig config = new GatewayConfig(deployments(drafts, router, litellm.dropParams()), router, general,
        groups, findings.warnings());
    warnUnservedGroups(config);
    return new GatewayConfig(config.deployments(), router, general, groups, findings.warnings(), server);
  }

  /** {@code litellm_settings} keys that set a router default when {@code router_settings} does not. */
  private record LitellmSettings(Duration requestTimeout, Integer numRetries, boolean dropParams,
                                 Optional<Section> section) {
    static final LitellmSettings NONE = new LitellmSettings(null, null, false, Optional.empty());

    RouterSettings applyTo(RouterSettings router) {
      return new RouterSettings(router.routingStrategy(), router.promptCaching(),
          numRetries != null ? numRetries : router.numRetries(),
          requestTimeout != null ? requestTimeout : router.timeout(), router.allowedFails(), router.cooldownTime(),
          router.retryAfter(), router.warmUpWait(), router.hotPrefixDeployments(), router.balanceAbsThreshold(),
          router.balanceRelThreshold(), router.retryWaitCostPerSecond(), router.maxPinsPerTenant(),
          router.backgroundUsageCheck());
    }
  }

  /**
   * {@code litellm_settings}: the LiteLLM module settings. {@code request_timeout} and {@code num_retries} are the
   * defaults of {@code router_settings.timeout} and {@code num_retries}, {@code drop_params} the default of every
   * deployment's; fallbacks are read with the router's. Anything else configures
   * LiteLLM's own machinery (callbacks, caches, logging) and is ignored with a warning.
   */
  private LitellmSettings litellm(Section litellm) {
    Duration requestTimeout = litellm.seconds("request_timeout").orElse(null);
    Integer numRetries = litellm.integer("num_retries", 0).orElse(null);
    boolean dropParams = litellm.bool("drop_params").orElse(false);
    return new LitellmSettings(requestTimeout, numRetries, dropParams, Optional.of(litellm));
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
  private record Draft(String path, String givenId, String alias, String model, String apiBase, Secret apiKey,
                       double weight, Integer rpm, Integer tpm, Duration timeout,
                       List<InjectionPoint> injectionPoints, ModelInfo info, String cacheScope,
                       ProviderSettings settings, CallSettings calls) {
  }

  /** The provider a deployment's model goes to, the prefix it was written with (empty: none), and the model. */
  private record Upstream(Provider provider, String prefix, UpstreamModel model) {
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
    Optional<Upstream> upstream = p.requiredString("model").flatMap(model -> upstream(p, model, info));
    String unservable = upstream.map(u -> u.model().unservable()).orElse(null);
    if (unservable != null) {
      // a deployment Affinity cannot serve does not stop the others: named in a warning, its keys left unread
      findings.skipped(entry.path(), "deployment '" + alias.orElse("?") + "' skipped: " + unservable);
      p.acceptAll();
      entry.acceptAll();
      return Optional.empty();
    }
    upstream.map(u -> u.model().id()).filter(ModelPattern::isWildcard).ifPresent(model -> {
      if (ModelPattern.wildcardCount(model) > 1) {
        p.problem("model", "may contain at most one '*'");
      } else if (alias.isPresent() && !ModelPattern.isWildcard(alias.get())) {
        p.problem("model", "contains '*' but model_name does not: there is nothing to substitute");
      }
    });
    Optional<ProviderEndpoint> endpoint = upstream
        .flatMap(u -> u.provider().endpoint(p, u.prefix(), u.model().id()));
    Provider chosen = upstream.map(Upstream::provider).orElse(null);
    for (Provider other : Providers.all()) {
      if (other != chosen) {
        other.ownKeys().forEach((key, whose) -> p.ignore(key, "only used by " + whose + " deployments, ignored"));
      }
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
    LITELLM_CALL_PARAMETERS.forEach(key -> p.ignore(key, "LiteLLM default call parameter, not applied:"
        + " Affinity sends the client's body as it is (only model changes)"));
    p.ignore("organization", "not applied: send it with extra_headers: {OpenAI-Organization: ...}");
    p.ignore("num_retries", "per-deployment retries are not supported: use router_settings.num_retries");
    entry.warnUnknownKeys();
    p.warnUnknownKeys();
    if (findings.problemCount() > before) {
      return Optional.empty();
    }
    ProviderEndpoint target = endpoint.orElseThrow(() -> new IllegalStateException(
        chosen.name() + " read no endpoint for " + p.path() + " and recorded no problem"));
    return Optional.of(new Draft(entry.path(), info.id(), alias.orElseThrow(), upstream.get().model().id(),
        target.apiBase(), target.apiKey(), weight, rpm, tpm, timeout, injectionPoints, info, cacheScope,
        target.settings(), calls));
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
    List<String> tags = params.strings("tags").orElse(List.of());
    if (tags.size() > Attribution.MAX_TAGS) {
      params.problem("tags", "at most " + Attribution.MAX_TAGS + " tags");
    }
    tags.stream().filter(tag -> tag.length() > Attribution.MAX_CHARS).findFirst().ifPresent(tag ->
        params.problem("tags", "a tag has at most " + Attribution.MAX_CHARS + " characters"));
    // null when not set: litellm_settings.drop_params decides
    return new CallSettings(order, maxParallel, streamTimeout, headers, params.bool("drop_params").orElse(null),
        tags.stream().distinct().toList());
  }

  /** A non-blank environment variable. */
  private Optional<String> variable(String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
  }

  /**
   * The provider of {@code model} ({@code bedrock/us.anthropic...}) and the model it sends. A model without a served
   * prefix is the provider's that claims the entry (LiteLLM places one with AWS keys on Bedrock), else, when written
   * without prefix, the one LiteLLM infers ({@code claude-*} Anthropic, {@code gpt-*} OpenAI...). A model Affinity
   * cannot serve is {@link UpstreamModel#unservable}.
   */
  private Optional<Upstream> upstream(Section params, String model, ModelInfo info) {
    int slash = model.indexOf('/');
    String prefix = slash > 0 ? model.substring(0, slash) : "";
    Optional<Provider> provider = Providers.forPrefix(prefix);
    if (provider.isEmpty()) {
      Optional<Provider> claiming = Providers.all().stream().filter(p -> p.claimsUnprefixed(params, info)).findFirst()
          .or(() -> slash > 0 ? Optional.empty()
              : Providers.all().stream().filter(p -> p.servesBareModel(model)).findFirst());
      if (claiming.isPresent()) {
        return claiming.get().model(params, "", model).map(chosen -> new Upstream(claiming.get(), "", chosen));
      }
      String why = slash <= 0
          ? "no provider prefix, and '" + model + "' is not a model whose provider LiteLLM infers"
              + " (write it as provider/model; supported: " + Providers.supportedPrefixes() + ")"
          : Providers.all().stream().map(p -> p.unservedPrefixes().get(prefix)).filter(Objects::nonNull).findFirst()
              .orElse("provider '" + prefix + "/' is not supported by Affinity")
              + " (supported: " + Providers.supportedPrefixes() + ")";
      return Optional.of(new Upstream(null, prefix, UpstreamModel.unservable(why)));
    }
    String id = model.substring(slash + 1);
    if (id.isBlank()) {
      params.problem("model", "model id missing after '" + prefix + "/'");
      return Optional.empty();
    }
    return provider.get().model(params, prefix, id).map(chosen -> new Upstream(provider.get(), prefix, chosen));
  }

  /** An http(s) URL without trailing slash; the value is never quoted in the problem (it may embed credentials). */
  static Optional<String> apiBase(Section params, String key, String base, String example) {
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
  static Optional<String> httpUrl(String base) {
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
        info.string("litellm_provider").orElse(null),
        info.strings("access_groups").orElse(List.of()));
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
    // null (like 0) turns the quota off; absent keeps the default
    long maxPinsPerTenant = router.isNull("max_pins_per_tenant") ? 0
        : router.integer("max_pins_per_tenant", 0).map(Integer::longValue)
            .orElse(RouterSettings.DEFAULT_MAX_PINS_PER_TENANT);
    Duration backgroundUsageCheck = router.number("background_usage_check", false)
        .map(seconds -> Duration.ofMillis(Math.round(seconds * 1000)))
        .orElse(RouterSettings.DEFAULT_BACKGROUND_USAGE_CHECK);
    return new RouterSettings(strategy, promptCaching, numRetries, timeout, allowedFails, cooldown, retryAfter,
        warmUpWait, hotPrefix, balanceAbs, balanceRel, waitCost, maxPinsPerTenant, backgroundUsageCheck);
  }

  /** LiteLLM's fallback: without {@code database_url}, the process environment's {@code DATABASE_URL}. */
  private GeneralSettings withDatabaseFromEnv(GeneralSettings general) {
    String fromEnv = env.get("DATABASE_URL");
    if (general.databaseUrl() != null || fromEnv == null || fromEnv.isBlank()) {
      return general;
    }
    return new GeneralSettings(general.masterKey(), general.maxRequestBytes(), general.maxParallelRequests(),
        general.drainTimeoutMillis(), new Secret(fromEnv.trim()), general.liteLlmSyncMillis());
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
    long liteLlmSyncMillis = general.number("litellm_sync_interval", false)
        .map(seconds -> Math.round(seconds * 1000))
        .orElse(GeneralSettings.DEFAULT_LITELLM_SYNC.toMillis());
    general.warnUnknownKeys();
    return new GeneralSettings(masterKey, maxRequestBytes, maxParallelRequests, drainTimeoutMillis, databaseUrl,
        liteLlmSyncMillis);
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

  private List<Deployment> deployments(List<Draft> drafts, RouterSettings router, boolean dropParams) {
    Map<String, String> taken = new HashMap<>();
    drafts.stream().filter(d -> d.givenId() != null).forEach(d -> taken.putIfAbsent(d.givenId(), d.path()));
    Map<String, Integer> derivedCount = new HashMap<>();
    List<Deployment> deployments = new ArrayList<>();
    for (Draft draft : drafts) {
      String given = draft.givenId();
      String id = given;
      if (given == null) {
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
      CallSettings own = draft.calls();
      CallSettings calls = new CallSettings(own.order(), own.maxParallelRequests(),
          own.streamTimeout() != null ? own.streamTimeout() : streamTimeout, own.extraHeaders(),
          own.dropParams() != null ? own.dropParams() : dropParams, own.tags());
      deployments.add(new Deployment(id, draft.alias(), draft.model(), draft.apiBase(), draft.apiKey(),
          draft.weight(), draft.rpm(), draft.tpm(), Objects.requireNonNullElse(draft.timeout(), router.timeout()),
          draft.injectionPoints(), draft.info(),
          draft.cacheScope() != null ? draft.cacheScope() : draft.settings().defaultCacheScope(id),
          draft.settings(), calls));
    }
    return deployments;
  }

  /**
   * {@code dep-} and 10 hex digits of SHA-256 over the non-secret fields that say where requests go. Every node
   * derives the same id from the same file, and rotating a key keeps the id (and so the pins). Changing this encoding
   * renames every deployment: pins made under old ids are lost.
   */
  private static String derivedId(Draft draft) {
    List<String> fields = new ArrayList<>(List.of(draft.alias(), draft.settings().litellmPrefix() + "/" + draft.model(),
        draft.apiBase(), Objects.requireNonNullElse(draft.cacheScope(), "")));
    // only the providers that have any (Bedrock, Vertex AI), so that the ids of the others stay as they were
    fields.addAll(draft.settings().idFields());
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
