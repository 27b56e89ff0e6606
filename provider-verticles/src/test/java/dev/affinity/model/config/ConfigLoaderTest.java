package dev.affinity.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  static final Map<String, String> ENV = Map.of(
      "ANTHROPIC_KEY_1", "sk-ant-env-one-1111111111",
      "ANTHROPIC_KEY_2", "sk-ant-env-two-2222222222",
      "AFFINITY_MASTER_KEY", "sk-master-3333333333");

  static final String MINIMAL = """
      model_list:
        - model_name: claude-sonnet-4-5
          litellm_params:
            model: anthropic/claude-sonnet-4-5
            api_key: sk-ant-minimal
      """;

  static GatewayConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, ENV);
  }

  /** The problems {@code yaml} is rejected with, as their {@code toString()}. */
  static List<String> problems(String yaml) {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems().stream().map(ConfigProblem::toString).toList();
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
  }

  @Test
  void loadsAFullConfiguration() throws Exception {
    GatewayConfig config = ConfigLoader.load(resource("full.yaml"), ENV);

    assertThat(config.deployments()).hasSize(4);
    assertThat(config.aliases()).containsExactly("claude-sonnet-4-5", "claude-*", "*");

    Deployment first = config.deployments().get(0);
    assertThat(first.id()).isEqualTo("sonnet-workspace-a");
    assertThat(first.alias()).isEqualTo("claude-sonnet-4-5");
    assertThat(first.provider()).isEqualTo(ProviderKind.ANTHROPIC);
    assertThat(first.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(first.apiBase()).isEqualTo("https://api.anthropic.com");
    assertThat(first.apiKey().value()).isEqualTo("sk-ant-env-one-1111111111");
    assertThat(first.weight()).isEqualTo(2.0);
    assertThat(first.rpm()).isEqualTo(50);
    assertThat(first.tpm()).isEqualTo(400_000);
    assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(first.injectionPoints())
        .containsExactly(InjectionPoint.forRole("system"), InjectionPoint.atIndex(-1));
    assertThat(first.info()).isEqualTo(new ModelInfo("sonnet-workspace-a", 0.000003, 0.000015, 0.00000375,
        0.0000003, 1024, "anthropic", List.of()));
    assertThat(first.cacheScope()).isEqualTo("sonnet-workspace-a");

    Deployment second = config.deployments().get(1);
    assertThat(second.id()).matches("dep-[0-9a-f]{10}");
    assertThat(second.apiKey().value()).isEqualTo("sk-ant-env-two-2222222222");
    assertThat(second.apiBase()).isEqualTo("https://eu.gateway.example.com/anthropic");
    assertThat(second.cacheScope()).isEqualTo("shared-workspace");
    assertThat(second.weight()).isEqualTo(1.0);
    assertThat(second.rpm()).isNull();
    assertThat(second.timeout()).as("router timeout applies").isEqualTo(Duration.ofMillis(30_500));
    assertThat(second.injectionPoints()).isEmpty();
    assertThat(second.info()).isEqualTo(ModelInfo.NONE);

    Deployment wildcard = config.deployments().get(2);
    assertThat(wildcard.model()).isEqualTo("claude-*");
    assertThat(wildcard.apiKey().value()).isEqualTo("sk-ant-literal-0000000000000000");
    assertThat(config.deployments().get(3).model()).as("bare claude model is anthropic").isEqualTo("claude-haiku-4-5");

    assertThat(config.router()).isEqualTo(new RouterSettings("least-busy", true, 3, Duration.ofMillis(30_500)));
    assertThat(config.general().masterKey()).isEqualTo(new Secret("sk-master-3333333333"));
    assertThat(config.general().maxRequestBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void appliesDefaults() throws Exception {
    GatewayConfig config = parse(MINIMAL);

    Deployment deployment = config.deployments().get(0);
    assertThat(deployment.apiBase()).isEqualTo("https://api.anthropic.com");
    assertThat(deployment.weight()).isEqualTo(1.0);
    assertThat(deployment.rpm()).isNull();
    assertThat(deployment.tpm()).isNull();
    assertThat(deployment.timeout()).isEqualTo(Duration.ofSeconds(600));
    assertThat(deployment.cacheScope()).isEqualTo(deployment.id());
    assertThat(config.router()).isEqualTo(RouterSettings.DEFAULTS);
    assertThat(config.router().routingStrategy()).isEqualTo("simple-shuffle");
    assertThat(config.router().promptCaching()).isTrue();
    assertThat(config.general().masterKey()).isNull();
    assertThat(config.general().maxRequestBytes()).isEqualTo(32L * 1024 * 1024);
  }

  @Test
  void missingApiKeyFallsBackToTheProviderVariable() throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5}
        """;
    GatewayConfig config = ConfigLoader.parse(yaml, Map.of("ANTHROPIC_API_KEY", "sk-ant-default"));

    assertThat(config.deployments().get(0).apiKey().value()).isEqualTo("sk-ant-default");
    assertThat(problems(yaml)).containsExactly(
        "model_list[0].litellm_params.api_key: required (or set environment variable ANTHROPIC_API_KEY)");
  }

  @Test
  void osEnvironWorksForAnyString() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: os.environ/ALIAS
            litellm_params:
              model: os.environ/MODEL
              api_base: os.environ/BASE
              api_key: os.environ/KEY
        """, Map.of("ALIAS", "fast", "MODEL", "anthropic/claude-haiku-4-5", "BASE", "http://127.0.0.1:9100/",
        "KEY", "k"));

    Deployment deployment = config.deployments().get(0);
    assertThat(deployment.alias()).isEqualTo("fast");
    assertThat(deployment.model()).isEqualTo("claude-haiku-4-5");
    assertThat(deployment.apiBase()).isEqualTo("http://127.0.0.1:9100");
  }

  @Test
  void rejectsAnEmptyFile() {
    assertThat(problems("")).containsExactly("the configuration is empty: it needs at least a model_list");
    assertThat(problems("# nothing but a comment\n"))
        .containsExactly("the configuration is empty: it needs at least a model_list");
  }

  @Test
  void reportsSyntaxErrorsWithLineAndColumn() {
    assertThat(problems("""
        model_list:
          - model_name: a
            litellm_params: {model: anthropic/claude-x
        """)).singleElement().asString()
        .startsWith("invalid YAML at line 4, column 1:");
    assertThat(problems("model_list: []\nmodel_list: []\n"))
        .containsExactly("invalid YAML at line 2, column 11: duplicate key 'model_list'");
  }

  @Test
  void rejectsYamlAliasesInsteadOfMisreadingThem() {
    assertThat(problems("""
        model_list:
          - model_name: a
            litellm_params: &params
              model: anthropic/claude-x
              api_key: k
          - model_name: b
            litellm_params: *params
        """)).containsExactly("model_list[1].litellm_params: line 7, column 21: "
        + "YAML aliases (*name) are not supported, repeat the value instead");
  }

  @Test
  void rejectsAMissingOrEmptyModelList() {
    assertThat(problems("router_settings: {num_retries: 1}\n"))
        .containsExactly("model_list: required: list the deployments clients can use");
    assertThat(problems("model_list: []\n")).containsExactly("model_list: must list at least one deployment");
    assertThat(problems("model_list: claude\n")).containsExactly("model_list: must be a list");
    assertThat(problems("- a\n- b\n"))
        .containsExactly("the configuration must be a mapping of sections (model_list, router_settings, ...)");
  }

  @Test
  void reportsEachProblemAtItsPath() {
    assertThat(problems("""
        model_list:
          - claude
          - litellm_params: {model: anthropic/claude-x, api_key: k}
          - model_name: ""
          - model_name: a
            litellm_params: {api_key: k}
          - model_name: b
            litellm_params: {model: cohere/command-r, api_key: k}
          - model_name: c
            litellm_params: {model: gpt-4o, api_key: k}
          - model_name: d
            litellm_params: {model: "anthropic/", api_key: k}
          - model_name: e
            litellm_params:
              model: anthropic/claude-x
              api_key: k
              api_base: ftp://example.com
              rpm: -1
              tpm: 1.5
              weight: 0
              timeout: soon
              cache_scope: 7
          - model_name: [f]
            litellm_params: {model: anthropic/claude-x, api_key: k}
            model_info: {min_cacheable_tokens: -5, input_cost_per_token: -1, id: ""}
        """)).containsExactly(
        "model_list[0]: must be a mapping",
        "model_list[1].model_name: required",
        "model_list[2].model_name: must not be empty",
        "model_list[2].litellm_params: required",
        "model_list[3].litellm_params.model: required",
        "model_list[6].litellm_params.model: model id missing after 'anthropic/'",
        "model_list[7].litellm_params.api_base: must be an http(s) URL without query or fragment,"
            + " e.g. https://api.anthropic.com",
        "model_list[7].litellm_params.weight: must be a number > 0",
        "model_list[7].litellm_params.rpm: must be an integer >= 1",
        "model_list[7].litellm_params.tpm: must be an integer >= 1",
        "model_list[7].litellm_params.timeout: must be a positive number of seconds",
        "model_list[7].litellm_params.cache_scope: must be a string",
        "model_list[8].model_name: must be a string",
        "model_list[8].model_info.id: must not be empty",
        "model_list[8].model_info.input_cost_per_token: must be a number >= 0",
        "model_list[8].model_info.min_cacheable_tokens: must be an integer >= 0");
  }

  @Test
  void validatesInjectionPoints() {
    assertThat(problems("""
        model_list:
          - model_name: a
            litellm_params:
              model: anthropic/claude-x
              api_key: k
              cache_control_injection_points:
                - {location: message, role: system}
                - {location: tools, role: user}
                - {location: message}
                - {location: message, role: user, index: 0}
                - {location: message, role: developer}
                - {location: message, index: last}
                - {role: user}
                - message
        """)).containsExactly(
        "model_list[0].litellm_params.cache_control_injection_points[7]: must be a mapping",
        "model_list[0].litellm_params.cache_control_injection_points[1].location:"
            + " must be 'message' (the only location supported)",
        "model_list[0].litellm_params.cache_control_injection_points[2]:"
            + " needs exactly one of role (system, user, assistant) or index",
        "model_list[0].litellm_params.cache_control_injection_points[3]:"
            + " needs exactly one of role (system, user, assistant) or index",
        "model_list[0].litellm_params.cache_control_injection_points[4].role: must be one of system, user, assistant",
        "model_list[0].litellm_params.cache_control_injection_points[5].index: must be an integer",
        "model_list[0].litellm_params.cache_control_injection_points[6].location: required");
  }

  @Test
  void validatesWildcards() {
    assertThat(problems("""
        model_list:
          - model_name: claude-*-*
            litellm_params: {model: anthropic/claude-x, api_key: k}
          - model_name: claude-sonnet
            litellm_params: {model: anthropic/claude-*, api_key: k}
          - model_name: claude-*
            litellm_params: {model: anthropic/*-*, api_key: k}
        """)).containsExactly(
        "model_list[0].model_name: may contain at most one '*'",
        "model_list[1].litellm_params.model: contains '*' but model_name does not: there is nothing to substitute",
        "model_list[2].litellm_params.model: may contain at most one '*'");
  }

  @Test
  void rejectsDuplicateModelInfoIds() {
    assertThat(problems("""
        model_list:
          - model_name: a
            litellm_params: {model: anthropic/claude-x, api_key: k1}
            model_info: {id: primary}
          - model_name: a
            litellm_params: {model: anthropic/claude-x, api_key: k2}
            model_info: {id: primary}
        """)).containsExactly("model_list[1].model_info.id: duplicate id 'primary', also used by model_list[0]");
  }

  @Test
  void readsTheReliabilityKeysOfRouterSettings() throws Exception {
    GatewayConfig config = parse(MINIMAL + """
        router_settings:
          allowed_fails: 5
          cooldown_time: 30
          retry_after: 1.5
          num_retries: 4
          balance_abs_threshold: 20
          balance_rel_threshold: 2.5
          retry_wait_cost_per_second: 0.05
          warm_up_wait: 0
          hot_prefix_deployments: 3
        """);
    assertThat(config.router().allowedFails()).isEqualTo(5);
    assertThat(config.router().cooldownTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.router().retryAfter()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.router().numRetries()).isEqualTo(4);
    assertThat(config.router().balanceAbsThreshold()).isEqualTo(20);
    assertThat(config.router().balanceRelThreshold()).isEqualTo(2.5);
    assertThat(config.router().retryWaitCostPerSecond()).isEqualTo(0.05);
    assertThat(config.router().warmUpWait()).as("zero turns waiting off").isZero();
    assertThat(config.router().hotPrefixDeployments()).isEqualTo(3);
    assertThat(config.warnings()).isEmpty();

    RouterSettings defaults = parse(MINIMAL).router();
    assertThat(defaults.allowedFails()).isEqualTo(3);
    assertThat(defaults.cooldownTime()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.retryAfter()).as("LiteLLM's default: retry at once").isZero();
    assertThat(parse(MINIMAL + "router_settings: {allowed_fails: 0}\n").router().allowedFails())
        .as("LiteLLM's 0: the first failure cools down").isZero();
    assertThat(defaults.warmUpWait()).isEqualTo(Duration.ofSeconds(3));
    assertThat(defaults.hotPrefixDeployments()).isEqualTo(2);

    assertThat(problems(MINIMAL + """
        router_settings:
          allowed_fails: -1
          cooldown_time: -1
          retry_after: -2
          num_retries: 1.5
          balance_abs_threshold: -1
          balance_rel_threshold: 0.5
          warm_up_wait: soon
          hot_prefix_deployments: 0
        """)).containsExactlyInAnyOrder(
        "router_settings.allowed_fails: must be an integer >= 0",
        "router_settings.cooldown_time: must be a positive number of seconds",
        "router_settings.retry_after: must be a number >= 0",
        "router_settings.num_retries: must be an integer >= 0",
        "router_settings.balance_abs_threshold: must be an integer >= 0",
        "router_settings.balance_rel_threshold: must be a number >= 1",
        "router_settings.warm_up_wait: must be a number >= 0",
        "router_settings.hot_prefix_deployments: must be an integer >= 1");
  }

  @Test
  void readsThePinQuotaPerTenant() throws Exception {
    assertThat(parse(MINIMAL).router().maxPinsPerTenant()).as("the default, a quarter of one node's pin map")
        .isEqualTo(RouterSettings.DEFAULT_MAX_PINS_PER_TENANT).isEqualTo(50_000);
    assertThat(parse(MINIMAL + "router_settings: {max_pins_per_tenant: 1200}\n").router().maxPinsPerTenant())
        .isEqualTo(1200);
    assertThat(parse(MINIMAL + "router_settings: {max_pins_per_tenant: 0}\n").router().maxPinsPerTenant())
        .as("0: no quota").isZero();
    GatewayConfig unlimited = parse(MINIMAL + "router_settings:\n  max_pins_per_tenant: null\n");
    assertThat(unlimited.router().maxPinsPerTenant()).as("null: no quota").isZero();
    assertThat(unlimited.warnings()).isEmpty();
    assertThat(problems(MINIMAL + "router_settings: {max_pins_per_tenant: -5}\n"))
        .containsExactly("router_settings.max_pins_per_tenant: must be an integer >= 0");
    assertThat(problems(MINIMAL + "router_settings: {max_pins_per_tenant: many}\n"))
        .containsExactly("router_settings.max_pins_per_tenant: must be an integer >= 0");
  }

  @Test
  void readsWhenTheGatewayReadsABackgroundResponseBackItself() throws Exception {
    assertThat(parse(MINIMAL).router().backgroundUsageCheck()).isEqualTo(Duration.ofMinutes(10));
    assertThat(parse(MINIMAL + "router_settings: {background_usage_check: 2.5}\n").router().backgroundUsageCheck())
        .isEqualTo(Duration.ofMillis(2_500));
    assertThat(parse(MINIMAL + "router_settings: {background_usage_check: 0}\n").router().backgroundUsageCheck())
        .as("0: never").isZero();
    assertThat(problems(MINIMAL + "router_settings: {background_usage_check: -1}\n"))
        .containsExactly("router_settings.background_usage_check: must be a number >= 0");
    assertThat(problems(MINIMAL + "router_settings: {background_usage_check: later}\n"))
        .containsExactly("router_settings.background_usage_check: must be a number >= 0");
  }

  @Test
  void validatesRouterAndGeneralSettings() {
    assertThat(problems(MINIMAL + """
        router_settings:
          routing_strategy: fastest
          optional_pre_call_checks: prompt_caching
          enable_prompt_cache_affinity: "no"
          num_retries: -1
          timeout: 0
        general_settings:
          master_key: 1234
          max_request_size_mb: 0
        """)).containsExactly(
        "router_settings.routing_strategy: must be one of simple-shuffle, least-busy, round-robin",
        "router_settings.optional_pre_call_checks: must be a list",
        "router_settings.enable_prompt_cache_affinity: must be true or false",
        "router_settings.num_retries: must be an integer >= 0",
        "router_settings.timeout: must be a positive number of seconds",
        "general_settings.master_key: must be a string",
        "general_settings.max_request_size_mb: must be a number > 0");
  }

  @Test
  void readsNodeLimitsAndDrainTimeout() throws Exception {
    GatewayConfig defaults = parse(MINIMAL);
    assertThat(defaults.general().maxParallelRequests()).isZero();
    assertThat(defaults.general().drainTimeout()).isEqualTo(Duration.ofSeconds(25));

    GatewayConfig given = parse(MINIMAL + """
        general_settings:
          global_max_parallel_requests: 200
          drain_timeout: 7.5
        """);
    assertThat(given.general().maxParallelRequests()).isEqualTo(200);
    assertThat(given.general().drainTimeout()).isEqualTo(Duration.ofMillis(7500));
    assertThat(given.warnings()).isEmpty();
    assertThat(parse(MINIMAL + "general_settings: {drain_timeout: 0}\n").general().drainTimeout()).isZero();

    assertThat(problems(MINIMAL + """
        general_settings:
          global_max_parallel_requests: 0
          drain_timeout: -1
        """)).containsExactly(
        "general_settings.global_max_parallel_requests: must be an integer >= 1",
        "general_settings.drain_timeout: must be a number >= 0");
    assertThat(problems(MINIMAL + "general_settings: {global_max_parallel_requests: lots, drain_timeout: soon}\n"))
        .containsExactly("general_settings.global_max_parallel_requests: must be an integer >= 1",
            "general_settings.drain_timeout: must be a number >= 0");
  }

  @Test
  void reportsAllProblemsTogetherInTheExceptionMessage() {
    String yaml = """
        model_list:
          - model_name: a
            litellm_params: {model: anthropic/, api_key: k}
          - model_name: b
            litellm_params: {model: anthropic/claude-x, api_key: os.environ/MISSING_KEY, rpm: many}
        general_settings: {max_request_size_mb: -3}
        """;
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

    assertThat(failure.problems()).containsExactly(
        new ConfigProblem("model_list[0].litellm_params.model", "model id missing after 'anthropic/'"),
        new ConfigProblem("model_list[1].litellm_params.api_key", "environment variable MISSING_KEY is not set"),
        new ConfigProblem("model_list[1].litellm_params.rpm", "must be an integer >= 1"),
        new ConfigProblem("general_settings.max_request_size_mb", "must be a number > 0"));
    assertThat(failure.getMessage()).isEqualTo("""
        invalid configuration (inline) (4 problems):
          - model_list[0].litellm_params.model: model id missing after 'anthropic/'
          - model_list[1].litellm_params.api_key: environment variable MISSING_KEY is not set
          - model_list[1].litellm_params.rpm: must be an integer >= 1
          - general_settings.max_request_size_mb: must be a number > 0""");
  }

  @Test
  void namesTheMissingVariableAndNeverASecret() {
    String secret = "sk-ant-api03-VERY-SECRET-literal-key";
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: %1$s
          - model_name: claude-sonnet-4-5
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: os.environ/ANTHROPIC_KEY_3
              api_base: https://user:%1$s@proxy.example.com?x=1
          - model_name: claude-sonnet-4-5
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: [%1$s]
        general_settings:
          master_key: {value: %1$s}
        """.formatted(secret);

    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

    assertThat(failure.problems()).extracting(ConfigProblem::toString).containsExactly(
        "model_list[1].litellm_params.api_base: must be an http(s) URL without query or fragment,"
            + " e.g. https://api.anthropic.com",
        "model_list[1].litellm_params.api_key: environment variable ANTHROPIC_KEY_3 is not set",
        "model_list[2].litellm_params.api_key: must be a string",
        "general_settings.master_key: must be a string");
    assertThat(failure.getMessage()).doesNotContain(secret).doesNotContain("VERY-SECRET");
    assertThat(failure.problems()).allSatisfy(problem -> assertThat(problem.toString()).doesNotContain(secret));
  }

  @Test
  void syntaxErrorsDoNotQuoteTheFile() {
    String secret = "sk-ant-api03-SYNTAX-secret";
    String yaml = "model_list:\n  - model_name: a\n    litellm_params: {api_key: " + secret + ": x}\n";

    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

    assertThat(failure.problems()).singleElement().extracting(ConfigProblem::message).asString()
        .startsWith("invalid YAML at line 3");
    assertThat(failure.getMessage()).doesNotContain(secret);
  }

  @Test
  void unknownKeysAreWarningsWithTheirPath() throws Exception {
    GatewayConfig config = parse("""
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: sk-ant-minimal
              foo: 1
              aws_region_name: us-east-1
              cache_control_injection_points:
                - {location: message, role: system, control: {type: ephemeral}}
            model_info: {mode: chat, id: a}
            tags: [x]
        router_settings:
          routing_strategy: latency-based-routing
          optional_pre_call_checks: [prompt_caching, router_budget_limiting]
          redis_password: hunter2-secret
        general_settings:
          database_url: postgres://secret@db
        litellm_settings: {drop_params: true}
        environment_variables: {ANTHROPIC_API_KEY: sk-not-used}
        extra: 1
        """);

    assertThat(config.deployments()).hasSize(1);
    assertThat(config.warnings()).containsExactly(
        "model_list[0].model_info.mode: unknown key, ignored",
        "model_list[0].litellm_params.aws_region_name: only used by Bedrock deployments, ignored",
        "model_list[0].litellm_params.cache_control_injection_points[0].control: unknown key, ignored",
        "model_list[0].tags: unknown key, ignored",
        "model_list[0].litellm_params.foo: unknown key, ignored",
        "router_settings.routing_strategy: 'latency-based-routing' is not supported by Affinity,"
            + " using simple-shuffle",
        "router_settings.optional_pre_call_checks: 'router_budget_limiting' is not supported, ignored",
        "router_settings.redis_password: unknown key, ignored",
        "extra: unknown key, ignored");
    assertThat(config.router().routingStrategy()).isEqualTo("simple-shuffle");
    // where keys and spend are kept (docs/tenancy.md); a secret, since it may hold a password
    assertThat(config.general().databaseUrl().value()).isEqualTo("postgres://secret@db");
    assertThat(config.general().toString()).doesNotContain("secret@db");
  }

  @Test
  void databaseUrlFallsBackToTheEnvironmentAsLiteLlmDoes() throws Exception {
    String yaml = "model_list:\n  - model_name: m\n    litellm_params: {model: anthropic/claude-sonnet-4-5,"
        + " api_key: k}\n";
    assertThat(ConfigLoader.parse(yaml, Map.of("DATABASE_URL", "postgresql://db/affinity")).general().databaseUrl()
        .value()).isEqualTo("postgresql://db/affinity");
    assertThat(ConfigLoader.parse(yaml + "general_settings: {database_url: postgresql://given/db}\n",
        Map.of("DATABASE_URL", "postgresql://db/affinity")).general().databaseUrl().value())
        .isEqualTo("postgresql://given/db");
    assertThat(ConfigLoader.parse(yaml, Map.of()).general().databaseUrl()).isNull();
  }

  @Test
  void promptCacheAffinityIsOnUnlessTurnedOff() throws Exception {
    assertThat(promptCaching("")).isTrue();
    assertThat(promptCaching("router_settings: {num_retries: 1}")).isTrue();
    assertThat(promptCaching("router_settings: {optional_pre_call_checks: [prompt_caching]}")).isTrue();
    assertThat(promptCaching("router_settings: {optional_pre_call_checks: []}")).isFalse();
    assertThat(promptCaching("router_settings: {enable_prompt_cache_affinity: false}")).isFalse();
    assertThat(promptCaching("router_settings: {enable_prompt_cache_affinity: true, optional_pre_call_checks: []}"))
        .isTrue();
    assertThat(promptCaching(
        "router_settings: {enable_prompt_cache_affinity: false, optional_pre_call_checks: [prompt_caching]}"))
        .isFalse();
  }

  private static boolean promptCaching(String routerSettings) throws ConfigException {
    return parse(MINIMAL + routerSettings + "\n").router().promptCaching();
  }

  @Test
  void reportsAnUnreadableFile() {
    Path missing = Path.of("does-not-exist.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing, ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does-not-exist.yaml")
        .hasMessageContaining("cannot read file");
  }

  @Test
  void openAiAndSelfHostedServers() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: gpt
            litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_KEY}
          - model_name: local
            litellm_params: {model: hosted_vllm/Qwen/Qwen3-8B, api_base: "http://10.0.0.5:8000/v1"}
        """, java.util.Map.of("OPENAI_KEY", "sk-openai-test"));
    Deployment gpt = config.deployments().get(0);
    assertThat(gpt.provider()).isEqualTo(ProviderKind.OPENAI);
    assertThat(gpt.apiBase()).isEqualTo("https://api.openai.com/v1");
    assertThat(gpt.apiKey().value()).isEqualTo("sk-openai-test");
    Deployment local = config.deployments().get(1);
    assertThat(local.provider()).isEqualTo(ProviderKind.OPENAI);
    assertThat(local.model()).isEqualTo("Qwen/Qwen3-8B");
    assertThat(local.apiKey().present()).isFalse();
    assertThat(problems("""
        model_list:
          - model_name: local
            litellm_params: {model: hosted_vllm/llama}
          - model_name: gpt
            litellm_params: {model: openai/gpt-4o}
        """)).containsExactly(
        "model_list[0].litellm_params.api_base: required for a self-hosted server, e.g. http://10.0.0.5:8000/v1"
            + " (or set environment variable HOSTED_VLLM_API_BASE)",
        "model_list[1].litellm_params.api_key: required (or set environment variable OPENAI_API_KEY)");
  }

  /** LiteLLM's {@code drop_params}: {@code litellm_settings}' is every deployment's default; a deployment's wins. */
  @Test
  void dropParamsIsTheDeploymentsElseLitellmSettings() throws Exception {
    String deployments = """
        model_list:
          - model_name: a
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1}
            model_info: {id: inherits}
          - model_name: a
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, drop_params: false}
            model_info: {id: keeps}
          - model_name: a
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-3, drop_params: true}
            model_info: {id: drops}
        """;
    Map<String, Boolean> off = new HashMap<>();
    parse(deployments).deployments().forEach(d -> off.put(d.id(), d.calls().dropsParams()));
    assertThat(off).containsExactlyInAnyOrderEntriesOf(Map.of("inherits", false, "keeps", false, "drops", true));
    Map<String, Boolean> on = new HashMap<>();
    parse(deployments + "litellm_settings: {drop_params: true}\n").deployments()
        .forEach(d -> on.put(d.id(), d.calls().dropsParams()));
    assertThat(on).containsExactlyInAnyOrderEntriesOf(Map.of("inherits", true, "keeps", false, "drops", true));
  }
}
