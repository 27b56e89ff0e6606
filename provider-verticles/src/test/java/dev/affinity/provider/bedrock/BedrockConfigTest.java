package dev.affinity.provider.bedrock;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.ConfigProblem;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ProviderKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BedrockConfigTest {

  private static final String SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  /** A LiteLLM file as operators write it: no provider prefix, {@code litellm_provider: bedrock}. */
  private static final String LITELLM_FILE = """
      router_settings:
        optional_pre_call_checks: ["prompt_caching"]
      model_list:
      - model_name: us.anthropic.claude-sonnet-4-5-20250929-v1:0
        litellm_params:
          model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
          aws_profile_name: account-1
          aws_region_name: us-west-2
        model_info:
          litellm_provider: bedrock
      """;

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void loadsTheLiteLlmFileUnchanged() throws Exception {
    GatewayConfig config = ConfigLoader.parse(LITELLM_FILE, Map.of());

    assertThat(config.warnings()).isEmpty();
    assertThat(config.router().promptCaching()).isTrue();
    Deployment deployment = config.deployments().get(0);
    assertThat(deployment.provider()).isEqualTo(ProviderKind.BEDROCK);
    assertThat(deployment.alias()).isEqualTo(SONNET);
    assertThat(deployment.model()).isEqualTo(SONNET);
    assertThat(deployment.apiBase()).isEqualTo("https://bedrock-runtime.us-west-2.amazonaws.com");
    assertThat(deployment.apiKey().present()).isFalse();
    assertThat(deployment.settings(AwsSettings.class)).isEqualTo(new AwsSettings("us-west-2", "account-1", null, null, null));
    assertThat(deployment.cacheScope()).isEqualTo("account-1@us-west-2");
    assertThat(deployment.id()).matches("dep-[0-9a-f]{10}");
    assertThat(config.deploymentsFor(SONNET)).containsExactly(deployment);
  }

  @Test
  void theBedrockPrefixFormLoadsTheSameDeployment() throws Exception {
    Deployment plain = ConfigLoader.parse(LITELLM_FILE, Map.of()).deployments().get(0);
    for (String model : List.of("bedrock/" + SONNET, "bedrock/invoke/" + SONNET)) {
      Deployment prefixed = ConfigLoader.parse("""
          model_list:
          - model_name: us.anthropic.claude-sonnet-4-5-20250929-v1:0
            litellm_params:
              model: %s
              aws_profile_name: account-1
              aws_region_name: us-west-2
          """.formatted(model), Map.of()).deployments().get(0);
      assertThat(prefixed).as(model).usingRecursiveComparison().ignoringFields("info").isEqualTo(plain);
    }
  }

  @Test
  void converseIsServedAsInvokeWithAWarning() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_region_name: eu-central-1
        """, Map.of());
    assertThat(config.deployments().get(0).model()).isEqualTo(SONNET);
    assertThat(config.warnings()).containsExactly("model_list[0].litellm_params.model: Affinity calls Bedrock's"
        + " InvokeModel API with the Messages body: converse/ is served as invoke/");
  }

  @Test
  void awsKeysAloneMakeABedrockDeployment() throws Exception {
    Deployment deployment = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: anthropic.claude-3-5-haiku-20241022-v1:0
            aws_region_name: us-east-1
        """, Map.of()).deployments().get(0);
    assertThat(deployment.provider()).isEqualTo(ProviderKind.BEDROCK);
    assertThat(deployment.settings(AwsSettings.class).credentialsSource()).isEqualTo("the default credential chain");
    assertThat(deployment.cacheScope()).isEqualTo("default-chain@us-east-1");
  }

  @Test
  void explicitKeysComeFromTheEnvironmentAndNeverShow() throws Exception {
    Map<String, String> secrets = Map.of("BEDROCK_KEY_ID", "AKIAEXAMPLEKEYID0001", "BEDROCK_SECRET",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY", "BEDROCK_TOKEN", "session-token-value");
    Map<String, String> env = new java.util.HashMap<>(secrets);
    env.put("AWS_REGION", "us-west-2");
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_access_key_id: os.environ/BEDROCK_KEY_ID
            aws_secret_access_key: os.environ/BEDROCK_SECRET
            aws_session_token: os.environ/BEDROCK_TOKEN
            aws_bedrock_runtime_endpoint: https://vpce-1234.bedrock-runtime.us-west-2.vpce.amazonaws.com/
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_access_key_id: AKIAOTHERKEYID000002
            aws_secret_access_key: other-secret
            aws_bedrock_runtime_endpoint: https://vpce-1234.bedrock-runtime.us-west-2.vpce.amazonaws.com/
        """, env);

    Deployment first = config.deployments().get(0);
    AwsSettings aws = first.settings(AwsSettings.class);
    assertThat(aws.region()).as("from AWS_REGION").isEqualTo("us-west-2");
    assertThat(aws.accessKeyId().value()).isEqualTo("AKIAEXAMPLEKEYID0001");
    assertThat(aws.secretAccessKey().value()).isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY");
    assertThat(aws.sessionToken().value()).isEqualTo("session-token-value");
    assertThat(first.apiBase()).isEqualTo("https://vpce-1234.bedrock-runtime.us-west-2.vpce.amazonaws.com");
    assertThat(aws.credentialsSource()).startsWith("the configured access key sha256:");

    // keys only differ: the same derived id, numbered; no key anywhere in the id, scope or printed settings
    Deployment second = config.deployments().get(1);
    assertThat(second.id()).isEqualTo(first.id() + "-2");
    assertThat(first.cacheScope()).isNotEqualTo(second.cacheScope()).endsWith("@us-west-2");
    for (Deployment deployment : config.deployments()) {
      String printed = deployment.id() + deployment.cacheScope() + deployment + deployment.settings(AwsSettings.class).credentialsSource();
      secrets.values().forEach(secret -> assertThat(printed).doesNotContain(secret));
      assertThat(printed).doesNotContain("AKIAOTHERKEYID000002").doesNotContain("other-secret");
    }
  }

  @Test
  void theRegionFallsBackToTheSdkVariables() throws Exception {
    String yaml = """
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-1
        """;
    assertThat(ConfigLoader.parse(yaml, Map.of("AWS_DEFAULT_REGION", "eu-west-3")).deployments().get(0).settings(AwsSettings.class)
        .region()).isEqualTo("eu-west-3");
    assertThat(ConfigLoader.parse(yaml, Map.of("AWS_REGION", "us-east-2", "AWS_DEFAULT_REGION", "eu-west-3"))
        .deployments().get(0).apiBase()).isEqualTo("https://bedrock-runtime.us-east-2.amazonaws.com");
    assertThat(problems(yaml, Map.of())).containsExactly("model_list[0].litellm_params.aws_region_name: required"
        + " (or set environment variable AWS_REGION or AWS_DEFAULT_REGION)");
  }

  @Test
  void anUnknownProfileIsNotAConfigurationError() throws Exception {
    // Credentials are resolved when the deployment is called, on the machines that serve it.
    Deployment deployment = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: no-such-profile-anywhere
            aws_region_name: us-west-2
        """, Map.of()).deployments().get(0);
    assertThat(deployment.settings(AwsSettings.class).profileName()).isEqualTo("no-such-profile-anywhere");
  }

  @Test
  void deploymentIdsTellProfilesAndRegionsApart() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_profile_name: account-1,
                           aws_region_name: us-west-2}
        - model_name: sonnet
          litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_profile_name: account-2,
                           aws_region_name: us-west-2}
        - model_name: sonnet
          litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_profile_name: account-1,
                           aws_region_name: us-east-1, aws_bedrock_runtime_endpoint: "http://127.0.0.1:9000"}
        - model_name: sonnet
          litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_profile_name: account-2,
                           aws_region_name: us-east-1, aws_bedrock_runtime_endpoint: "http://127.0.0.1:9000",
                           cache_scope: shared-account}
        - model_name: sonnet
          litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_profile_name: account-3,
                           aws_region_name: us-east-1, api_base: "http://127.0.0.1:9000", cache_scope: shared-account}
        """, Map.of());
    List<Deployment> deployments = config.deployments();
    assertThat(deployments.stream().map(Deployment::id).distinct()).hasSize(5);
    assertThat(deployments.stream().map(Deployment::id)).allMatch(id -> id.matches("dep-[0-9a-f]{10}"));
    assertThat(deployments).extracting(Deployment::cacheScope).containsExactly(
        "account-1@us-west-2", "account-2@us-west-2", "account-1@us-east-1", "shared-account", "shared-account");
    assertThat(deployments.get(4).apiBase()).isEqualTo("http://127.0.0.1:9000");
    // the same file read again (another node, a restart) derives the same ids
    assertThat(ConfigLoader.parse(LITELLM_FILE, Map.of()).deployments().get(0).id())
        .isEqualTo(ConfigLoader.parse(LITELLM_FILE, Map.of()).deployments().get(0).id());
  }

  @Test
  void reportsBedrockProblemsAtTheirPaths() {
    assertThat(problems("""
        model_list:
        - model_name: a
          litellm_params: {model: bedrock/meta.llama3-70b-instruct-v1:0, aws_region_name: us-west-2}
        - model_name: b
          litellm_params: {model: bedrock/us.anthropic.claude-x, aws_region_name: us-west-2,
                           aws_access_key_id: AKIAONLYTHEID0000003}
        - model_name: c
          litellm_params: {model: bedrock/us.anthropic.claude-x, aws_region_name: us-west-2,
                           aws_profile_name: p, aws_access_key_id: AKIA, aws_secret_access_key: s}
        - model_name: d
          litellm_params: {model: bedrock/us.anthropic.claude-x, aws_region_name: Oregon, api_key: sk-bedrock-key}
        - model_name: e
          litellm_params: {model: bedrock/us.anthropic.claude-x, aws_region_name: us-west-2,
                           aws_session_token: t, api_base: "https://a.example.com",
                           aws_bedrock_runtime_endpoint: "https://b.example.com"}
        - model_name: f
          litellm_params: {model: "bedrock/", aws_region_name: us-west-2}
        - model_name: g
          litellm_params: {model: bedrock/us.anthropic.claude-x, aws_region_name: us-west-2,
                           aws_bedrock_runtime_endpoint: "ftp://b.example.com"}
        """, Map.of())).containsExactly(
        "model_list[1].litellm_params.aws_secret_access_key: required with aws_access_key_id",
        "model_list[2].litellm_params.aws_profile_name: give either a profile or keys"
            + " (aws_access_key_id, aws_secret_access_key), not both",
        "model_list[3].litellm_params.aws_region_name: must be an AWS region name, e.g. us-west-2",
        "model_list[3].litellm_params.api_key: not used by Bedrock deployments: give aws_profile_name, or"
            + " aws_access_key_id and aws_secret_access_key, or neither for the default AWS credential chain",
        "model_list[4].litellm_params.api_base: give either api_base or aws_bedrock_runtime_endpoint, not both",
        "model_list[4].litellm_params.aws_session_token: only used with aws_access_key_id and aws_secret_access_key",
        "model_list[5].litellm_params.model: model id missing after 'bedrock/'",
        "model_list[6].litellm_params.aws_bedrock_runtime_endpoint: must be an http(s) URL without query or"
            + " fragment, e.g. https://bedrock-runtime.us-west-2.amazonaws.com");
  }

  @Test
  void awsKeysOnAnotherProviderAreIgnoredWithAWarning() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: k, aws_region_name: us-west-2}
        """, Map.of());
    assertThat(config.deployments().get(0).provider()).isEqualTo(ProviderKind.ANTHROPIC);
    assertThat(config.deployments().get(0).settings()).isNotInstanceOf(AwsSettings.class);
    assertThat(config.warnings())
        .containsExactly("model_list[0].litellm_params.aws_region_name: only used by Bedrock deployments, ignored");
  }
}
