package dev.affinity.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LiteLLM's router, module and per-deployment keys read with LiteLLM's meaning; mistakes named at their path. */
class LiteLlmKeysTest {

  static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-openai", "OPENAI_ORG", "org-42",
      "PROCESS_SECRET", "az-from-process");

  static GatewayConfig load(Map<String, String> env) throws Exception {
    return ConfigLoader.load(Path.of(LiteLlmKeysTest.class.getResource("/config/litellm/router-keys.yaml").toURI()),
        env);
  }

  static List<String> problems(String yaml) {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, ENV));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void perDeploymentKeys() throws Exception {
    GatewayConfig config = load(ENV);
    Deployment openAi = config.deployments().get(0);

    assertThat(openAi.calls().order()).isEqualTo(1);
    assertThat(openAi.calls().maxParallelRequests()).isEqualTo(10);
    assertThat(openAi.calls().streamTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(openAi.timeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(openAi.timeout(true)).isEqualTo(Duration.ofSeconds(30));
    assertThat(openAi.timeout(false)).isEqualTo(Duration.ofSeconds(120));
    assertThat(openAi.calls().extraHeaders()).containsOnlyKeys("x-team", "openai-organization");
    assertThat(openAi.calls().extraHeaders().get("openai-organization").value()).isEqualTo("org-42");
    assertThat(openAi.toString()).as("header values are secrets").doesNotContain("org-42");
    assertThat(openAi.tpm()).as("entry-level tpm, as LiteLLM reads it").isEqualTo(100_000);
    assertThat(openAi.rpm()).isEqualTo(600);

    Deployment azure = config.deployments().get(1);
    assertThat(azure.calls().order()).isEqualTo(2);
    assertThat(azure.calls().streamTimeout()).as("router_settings.stream_timeout").isEqualTo(Duration.ofSeconds(45));
    assertThat(azure.timeout()).as("litellm_settings.request_timeout").isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void environmentVariablesAreSetBeforeValuesAreResolved() throws Exception {
    GatewayConfig config = load(ENV);

    assertThat(config.deployments().get(2).apiKey().value()).isEqualTo("gsk-from-the-file");
    assertThat(config.deployments().get(1).apiKey().value()).as("a file variable may come from the process")
        .isEqualTo("az-from-process");
  }

  @Test
  void routerAndModuleSettings() throws Exception {
    GatewayConfig config = load(ENV);

    assertThat(config.router().numRetries()).as("litellm_settings.num_retries").isEqualTo(4);
    assertThat(config.router().timeout()).as("litellm_settings.request_timeout").isEqualTo(Duration.ofSeconds(90));
    ModelGroups groups = config.groups();
    assertThat(groups.fallbacksFor("gpt-4o", false)).containsExactly("llama");
    assertThat(groups.fallbacksFor("llama", false)).as("default_fallbacks").containsExactly("gpt-4o");
    assertThat(groups.fallbacksFor("gpt-4o", true)).isEmpty();
    assertThat(groups.fallbacksFor("llama", true)).containsExactly("gpt-4o");
    assertThat(config.deploymentsFor("gpt-4")).extracting(Deployment::alias).containsOnly("gpt-4o");
    assertThat(config.deploymentsFor("secret-name")).extracting(Deployment::alias).containsOnly("llama");
    assertThat(config.aliases()).contains("gpt-4").doesNotContain("secret-name");
    assertThat(config.warnings()).containsExactly(
        "litellm_settings.set_verbose: LiteLLM setting not supported by Affinity, ignored",
        "litellm_settings.success_callback: LiteLLM setting not supported by Affinity, ignored");
  }

  @Test
  void defaultCallParametersAreNamedAsNotApplied() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/gpt-4o, api_key: k, temperature: 0.2, organization: org-1, num_retries: 2}
        """, Map.of());

    assertThat(config.warnings()).containsExactly(
        "model_list[0].litellm_params.temperature: LiteLLM default call parameter, not applied: Affinity sends the"
            + " client's body as it is (only model changes)",
        "model_list[0].litellm_params.organization: not applied: send it with extra_headers:"
            + " {OpenAI-Organization: ...}",
        "model_list[0].litellm_params.num_retries: per-deployment retries are not supported: use"
            + " router_settings.num_retries");
  }

  @Test
  void routerSettingsWinOverLitellmSettings() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/gpt-4o, api_key: k}
        router_settings: {num_retries: 0, timeout: 5}
        litellm_settings: {num_retries: 7, request_timeout: 50}
        """, Map.of());

    assertThat(config.router().numRetries()).isZero();
    assertThat(config.router().timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theMasterKeyComesFromLitellmMasterKeyWhenTheFileHasNone() throws Exception {
    String noGeneral = "model_list: [{model_name: a, litellm_params: {model: openai/gpt-4o, api_key: k}}]\n";
    String otherGeneral = noGeneral + "general_settings: {max_request_size_mb: 2}\n";
    String ownKey = noGeneral + "general_settings: {master_key: sk-from-file}\n";
    Map<String, String> env = Map.of("LITELLM_MASTER_KEY", "sk-litellm-master");

    assertThat(ConfigLoader.parse(noGeneral, env).general().masterKey()).isEqualTo(new Secret("sk-litellm-master"));
    assertThat(ConfigLoader.parse(otherGeneral, env).general().masterKey())
        .isEqualTo(new Secret("sk-litellm-master"));
    assertThat(ConfigLoader.parse(ownKey, env).general().masterKey()).isEqualTo(new Secret("sk-from-file"));
    assertThat(ConfigLoader.parse(noGeneral, Map.of()).general().masterKey()).isNull();
  }

  @Test
  void fallbacksToAliasesThatDoNotExistAreWarnedAbout() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/gpt-4o, api_key: k}
        router_settings:
          fallbacks: [{a: [b]}]
          model_group_alias: {x: nowhere}
        """, Map.of());

    assertThat(config.warnings()).containsExactly(
        "router_settings.model_group_alias.x: 'nowhere' is not a model_name here",
        "router_settings.fallbacks.a: 'b' is not a model_name here: that fallback is never tried");
  }

  @Test
  void mistakesAreNamedAtTheirExactPath() {
    assertThat(problems("""
        environment_variables: {A: [1, 2]}
        model_list:
          - model_name: a
            litellm_params:
              model: openai/gpt-4o
              api_key: k
              order: -1
              max_parallel_requests: 0
              stream_timeout: soon
              extra_headers: {"bad header": x, Host: y}
              tags: [ok, "%s", [nested]]
              rpm: 5
            rpm: 6
        router_settings:
          fallbacks: [{a: {b: c}}, [a]]
          context_window_fallbacks: nope
          model_group_alias: {x: {hidden: true}}
        litellm_settings: {request_timeout: -1, num_retries: many, drop_params: yes please}
        """.formatted("x".repeat(257)))).containsExactly(
        "environment_variables.A: must be a string, number or boolean",
        "model_list[0].rpm: also given as litellm_params.rpm: give it once",
        "model_list[0].litellm_params.order: must be an integer >= 0",
        "model_list[0].litellm_params.max_parallel_requests: must be an integer >= 1",
        "model_list[0].litellm_params.stream_timeout: must be a positive number of seconds",
        "model_list[0].litellm_params.extra_headers.bad header: must be an HTTP header name",
        "model_list[0].litellm_params.extra_headers.Host: is set by the gateway itself and cannot be replaced",
        "model_list[0].litellm_params.tags[2]: must be a string",
        "model_list[0].litellm_params.tags: a tag has at most 256 characters",
        "litellm_settings.request_timeout: must be a positive number of seconds",
        "litellm_settings.num_retries: must be an integer >= 0",
        "litellm_settings.drop_params: must be true or false",
        "router_settings.fallbacks[1]: must be a mapping",
        "router_settings.fallbacks[0].a: must be a list of model names",
        "router_settings.context_window_fallbacks: must be a list",
        "router_settings.model_group_alias.x.model: required");
  }

  @Test
  void aDeploymentsTagsAreReadEachOnce() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/gpt-4o, api_key: k, tags: [AWS_IAM_PROD, us-east-1, AWS_IAM_PROD]}
          - model_name: b
            litellm_params: {model: openai/gpt-4o, api_key: k}
        """, ENV);
    assertThat(config.deployments().get(0).calls().tags()).containsExactly("AWS_IAM_PROD", "us-east-1");
    assertThat(config.deployments().get(1).calls().tags()).isEmpty();
    assertThat(config.warnings()).isEmpty();
  }
}
