package dev.affinity.model.config;

import dev.affinity.provider.bedrock.AwsSettings;
import dev.affinity.provider.openai.OpenAiCompatible;
import dev.affinity.provider.openai.OpenAiSettings;
import dev.affinity.provider.vertex.VertexSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** LiteLLM configs as LiteLLM's docs write them load unchanged: provider inference, OpenAI-compatible providers. */
class LiteLlmProvidersTest {

  static GatewayConfig load(String name, Map<String, String> env) throws Exception {
    return ConfigLoader.load(Path.of(LiteLlmProvidersTest.class.getResource("/config/litellm/" + name).toURI()), env);
  }

  static Map<String, Deployment> byAlias(GatewayConfig config) {
    return config.deployments().stream().collect(Collectors.toMap(Deployment::alias, Function.identity()));
  }

  @Test
  void bareModelIdsNameTheirProviderAsInLiteLlm() throws Exception {
    GatewayConfig config = load("bare-model-ids.yaml",
        Map.of("OPENAI_API_KEY", "sk-openai-env", "ANTHROPIC_API_KEY", "sk-ant-env"));
    Map<String, Deployment> deployments = byAlias(config);

    assertThat(deployments.keySet()).containsExactlyInAnyOrder("gpt-3.5-turbo", "gpt-4o", "o3-mini", "o1", "o4-mini",
        "claude-3-5-sonnet", "gemini-pro");
    for (String openAi : new String[] {"gpt-3.5-turbo", "gpt-4o", "o3-mini", "o1", "o4-mini"}) {
      Deployment deployment = deployments.get(openAi);
      assertThat(deployment.provider()).as(openAi).isEqualTo(ProviderKind.OPENAI);
      assertThat(deployment.settings(OpenAiSettings.class).api()).isEqualTo(OpenAiCompatible.OPENAI);
      assertThat(deployment.apiBase()).isEqualTo("https://api.openai.com/v1");
      assertThat(deployment.apiKey().value()).isEqualTo("sk-openai-env");
      assertThat(deployment.model()).isEqualTo(openAi);
    }
    assertThat(deployments.get("claude-3-5-sonnet").provider()).isEqualTo(ProviderKind.ANTHROPIC);
    assertThat(deployments.get("gemini-pro").provider()).as("LiteLLM places bare Gemini ids on Vertex AI")
        .isEqualTo(ProviderKind.VERTEX);
    assertThat(deployments.get("gemini-pro").model()).isEqualTo("gemini-1.5-pro");
  }

  @Test
  void deploymentsThatCannotBeServedAreNamedAndSkipped() throws Exception {
    // COHERE_API_KEY is not set: a skipped deployment's values are not even resolved
    GatewayConfig config = load("bare-model-ids.yaml",
        Map.of("OPENAI_API_KEY", "sk-openai-env", "ANTHROPIC_API_KEY", "sk-ant-env"));

    assertThat(config.warnings()).anySatisfy(warning -> assertThat(warning)
        .startsWith("model_list[7]: deployment 'embeddings' skipped: 'text-embedding-3-small' is not a Chat"));
    assertThat(config.warnings()).anySatisfy(warning -> assertThat(warning)
        .startsWith("model_list[8]: deployment 'instruct' skipped: text-completion-openai/ is OpenAI's legacy"));
    assertThat(config.warnings()).anySatisfy(warning -> assertThat(warning)
        .startsWith("model_list[9]: deployment 'command-r' skipped: provider 'cohere/' is not supported"));
    assertThat(config.warnings()).anySatisfy(warning -> assertThat(warning)
        .startsWith("model_list[10]: deployment 'mystery' skipped: no provider prefix, and 'my-own-model' is not"));
    assertThat(config.warnings()).noneMatch(warning -> warning.contains("COHERE"));
  }

  @Test
  void aFileWithNothingServableIsRefusedNamingEveryDeployment() {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: cohere/command-r}
          - model_name: b
            litellm_params: {model: text-embedding-3-large}
        """, Map.of()));

    assertThat(failure).isNotNull();
    assertThat(failure.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("model_list");
      assertThat(problem.message()).contains("model_list[0]: deployment 'a' skipped: provider 'cohere/'")
          .contains("model_list[1]: deployment 'b' skipped");
    });
  }

  @Test
  void openAiCompatibleProvidersGetLiteLlmsDefaultBasesAndKeyVariables() throws Exception {
    Map<String, String> env = Map.ofEntries(Map.entry("GROQ_API_KEY", "gsk-1"), Map.entry("OPENROUTER_API_KEY", "or-1"),
        Map.entry("MISTRAL_API_KEY", "mi-1"), Map.entry("DEEPSEEK_API_KEY", "ds-1"),
        Map.entry("TOGETHERAI_API_KEY", "tg-1"), Map.entry("FIREWORKS_AI_API_KEY", "fw-1"),
        Map.entry("XAI_API_KEY", "xai-1"), Map.entry("PERPLEXITYAI_API_KEY", "pplx-1"),
        Map.entry("DEEPINFRA_API_KEY", "di-1"), Map.entry("CEREBRAS_API_KEY", "cb-1"),
        Map.entry("NVIDIA_NIM_API_KEY", "nv-1"));
    Map<String, Deployment> deployments = byAlias(load("openai-compatible.yaml", env));

    record Expected(String alias, OpenAiCompatible api, String base, String key, String model, boolean caches) {
    }
    for (Expected expected : new Expected[] {
        new Expected("llama-groq", OpenAiCompatible.GROQ, "https://api.groq.com/openai/v1", "gsk-1",
            "llama-3.1-8b-instant", true),
        new Expected("router-claude", OpenAiCompatible.OPENROUTER, "https://openrouter.ai/api/v1", "or-1",
            "anthropic/claude-3.5-sonnet", true),
        new Expected("mistral-small", OpenAiCompatible.MISTRAL, "https://api.mistral.ai/v1", "mi-1",
            "mistral-small-latest", false),
        new Expected("deepseek-chat", OpenAiCompatible.DEEPSEEK, "https://api.deepseek.com/beta", "ds-1",
            "deepseek-chat", true),
        new Expected("together-llama", OpenAiCompatible.TOGETHER_AI, "https://api.together.xyz/v1", "tg-1",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo", false),
        new Expected("fireworks-llama", OpenAiCompatible.FIREWORKS_AI, "https://api.fireworks.ai/inference/v1",
            "fw-1", "accounts/fireworks/models/llama-v3p1-8b-instruct", true),
        new Expected("grok", OpenAiCompatible.XAI, "https://api.x.ai/v1", "xai-1", "grok-3", true),
        new Expected("sonar", OpenAiCompatible.PERPLEXITY, "https://api.perplexity.ai", "pplx-1", "sonar", false),
        new Expected("deepinfra-llama", OpenAiCompatible.DEEPINFRA, "https://api.deepinfra.com/v1/openai", "di-1",
            "meta-llama/Llama-3.3-70B-Instruct", false),
        new Expected("cerebras-llama", OpenAiCompatible.CEREBRAS, "https://api.cerebras.ai/v1", "cb-1",
            "llama3.1-8b", false),
        new Expected("nim-llama", OpenAiCompatible.NVIDIA_NIM, "https://integrate.api.nvidia.com/v1", "nv-1",
            "meta/llama3-8b-instruct", false)}) {
      Deployment deployment = deployments.get(expected.alias());
      assertThat(deployment.provider()).as(expected.alias()).isEqualTo(ProviderKind.OPENAI);
      assertThat(deployment.settings(OpenAiSettings.class).api()).as(expected.alias()).isEqualTo(expected.api());
      assertThat(deployment.apiBase()).as(expected.alias()).isEqualTo(expected.base());
      assertThat(deployment.apiKey().value()).as(expected.alias()).isEqualTo(expected.key());
      assertThat(deployment.model()).as(expected.alias()).isEqualTo(expected.model());
      assertThat(deployment.settings(OpenAiSettings.class).api().cachesAutomatically()).as(expected.alias()).isEqualTo(expected.caches());
      assertThat(deployment.settings(OpenAiSettings.class).chatCompletionsUri(deployment.apiBase(), deployment.model()))
          .isEqualTo(expected.base() + "/chat/completions");
      assertThat(deployment.settings(OpenAiSettings.class).responsesUri(deployment.apiBase()))
          .isEqualTo(expected.base() + "/responses");
      assertThat(deployment.settings(OpenAiSettings.class).storedResponseUri(deployment.apiBase(), "resp_1", "",
          null)).isEqualTo(expected.base() + "/responses/resp_1");
      assertThat(deployment.settings(OpenAiSettings.class).apiKeyHeader(deployment.apiBase())).isFalse();
    }
  }

  @Test
  void aMissingKeyNamesEveryVariableLiteLlmWouldRead() {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
        model_list:
          - model_name: together
            litellm_params: {model: together_ai/meta-llama/Llama-3-8b-chat-hf}
        """, Map.of()));

    assertThat(failure.problems()).extracting(ConfigProblem::toString).containsExactly(
        "model_list[0].litellm_params.api_key: required (or set environment variable TOGETHER_API_KEY or"
            + " TOGETHER_AI_API_KEY or TOGETHERAI_API_KEY or TOGETHER_AI_TOKEN)");
  }

  @Test
  void aProviderVariableMovesTheDefaultBase() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: llama
            litellm_params: {model: groq/llama-3.1-8b-instant, api_key: gsk-1}
        """, Map.of("GROQ_API_BASE", "http://127.0.0.1:9999/openai/v1/"));

    assertThat(config.deployments().get(0).apiBase()).isEqualTo("http://127.0.0.1:9999/openai/v1");
    ConfigException wrong = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
        model_list:
          - model_name: llama
            litellm_params: {model: groq/llama-3.1-8b-instant, api_key: gsk-1}
        """, Map.of("GROQ_API_BASE", "ftp://secret-host/x")));
    assertThat(wrong.problems()).extracting(ConfigProblem::toString).containsExactly(
        "model_list[0].litellm_params.api_base: environment variable GROQ_API_BASE must be an http(s) URL without"
            + " query or fragment, e.g. https://api.groq.com/openai/v1");
  }


  @Test
  void azureDeploymentsAreAddressedByDeploymentNameVersionAndApiKeyHeader() throws Exception {
    Map<String, Deployment> deployments = byAlias(load("azure.yaml", Map.of("AZURE_API_KEY", "az-key-1",
        "AZURE_API_BASE", "https://eu-endpoint.openai.azure.com", "AZURE_AI_API_KEY", "ai-key-1")));

    Deployment explicit = deployments.get("gpt-4o");
    assertThat(explicit.settings(OpenAiSettings.class)).isEqualTo(new OpenAiSettings(OpenAiCompatible.AZURE, "2024-10-21"));
    assertThat(explicit.apiBase()).isEqualTo("https://my-endpoint.openai.azure.com");
    assertThat(explicit.apiKey().value()).isEqualTo("az-key-1");
    assertThat(explicit.settings(OpenAiSettings.class).chatCompletionsUri(explicit.apiBase(), explicit.model())).isEqualTo(
        "https://my-endpoint.openai.azure.com/openai/deployments/my-gpt-4o-deployment/chat/completions"
            + "?api-version=2024-10-21");
    // the Responses API is not per deployment on Azure: the model is in the body
    assertThat(explicit.settings(OpenAiSettings.class).responsesUri(explicit.apiBase()))
        .isEqualTo("https://my-endpoint.openai.azure.com/openai/responses?api-version=2024-10-21");
    // a stored response beside it: the id one path segment, the version first, then the client's query
    assertThat(explicit.settings(OpenAiSettings.class).storedResponseUri(explicit.apiBase(), "resp_1/../x",
        "/input_items", "limit=2"))
        .isEqualTo("https://my-endpoint.openai.azure.com/openai/responses/resp_1%2F..%2Fx/input_items"
            + "?api-version=2024-10-21&limit=2");
    assertThat(explicit.settings(OpenAiSettings.class).apiKeyHeader(explicit.apiBase())).isTrue();
    assertThat(explicit.settings(OpenAiSettings.class).api().cachesAutomatically()).isTrue();

    Deployment defaults = deployments.get("gpt-4o-defaults");
    assertThat(defaults.apiBase()).isEqualTo("https://eu-endpoint.openai.azure.com");
    assertThat(defaults.settings(OpenAiSettings.class).apiVersion()).isEqualTo(OpenAiCompatible.AZURE_DEFAULT_API_VERSION);

    Deployment foundry = deployments.get("mistral-large");
    assertThat(foundry.settings(OpenAiSettings.class).chatCompletionsUri(foundry.apiBase(), foundry.model()))
        .isEqualTo("https://my-project.services.ai.azure.com/models/chat/completions");
    assertThat(foundry.settings(OpenAiSettings.class).apiKeyHeader(foundry.apiBase())).isTrue();
    Deployment serverless = deployments.get("phi");
    assertThat(serverless.settings(OpenAiSettings.class).chatCompletionsUri(serverless.apiBase(), serverless.model()))
        .isEqualTo("https://phi-serverless.eastus2.models.ai.azure.com/chat/completions");
    assertThat(serverless.settings(OpenAiSettings.class).apiKeyHeader(serverless.apiBase())).as("Bearer off Azure's own hosts").isFalse();
  }

  @Test
  void azureVersionComesFromTheVariableAndAWildcardModelIsEncodedIntoThePath() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: "azure-*"
            litellm_params: {model: "azure/*", api_base: "https://x.openai.azure.com", api_key: k}
        """, Map.of("AZURE_API_VERSION", "2024-06-01"));
    Deployment deployment = config.deployments().get(0);

    assertThat(deployment.settings(OpenAiSettings.class).apiVersion()).isEqualTo("2024-06-01");
    assertThat(config.deploymentsFor("azure-../../admin?x=1")).as("a path-escaping part is never matched").isEmpty();
    assertThat(deployment.settings(OpenAiSettings.class).chatCompletionsUri(deployment.apiBase(),
        deployment.upstreamModel("azure-team/gpt:4o")))
        .isEqualTo("https://x.openai.azure.com/openai/deployments/team%2Fgpt%3A4o/chat/completions"
            + "?api-version=2024-06-01");
  }

  @Test
  void azureWithoutAnEndpointNamesTheVariables() {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: azure/gpt-4o, api_key: k, api_version: "not a version"}
        """, Map.of()));

    assertThat(failure.problems()).extracting(ConfigProblem::toString).containsExactly(
        "model_list[0].litellm_params.api_base: required for azure/ deployments (or set environment variable"
            + " AZURE_API_BASE or AZURE_OPENAI_ENDPOINT)",
        "model_list[0].litellm_params.api_version: must be an Azure API version such as 2025-02-01-preview");
  }

  @Test
  void vertexAcceptsLiteLlmsOtherSpellings() throws Exception {
    Deployment deployment = load("vertex-spellings.yaml", Map.of()).deployments().get(0);

    assertThat(deployment.settings(VertexSettings.class).project()).isEqualTo("proj-one");
    assertThat(deployment.settings(VertexSettings.class).location()).isEqualTo("us-east5");
    ConfigException both = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
        model_list:
          - model_name: c
            litellm_params: {model: vertex_ai/claude-x, vertex_project: a-project, vertex_ai_project: b-project,
                             vertex_location: us-east5}
        """, Map.of()));
    assertThat(both.problems()).extracting(ConfigProblem::toString).containsExactly(
        "model_list[0].litellm_params.vertex_ai_project: give either vertex_project or vertex_ai_project, not both");
  }

  @Test
  void openAiIdsKeepTheirFormAndOtherProvidersAreNamedByTheirPrefix() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: m
            litellm_params: {model: openai/gpt-4o, api_key: k}
          - model_name: m
            litellm_params: {model: groq/gpt-4o, api_key: k, api_base: "https://api.openai.com/v1"}
        """, Map.of());

    assertThat(config.deployments().get(0).id()).as("the id OpenAI deployments had before")
        .isEqualTo("dep-" + sha256Prefix("1:m;13:openai/gpt-4o;25:https://api.openai.com/v1;0:;"));
    assertThat(config.deployments().get(1).id())
        .isEqualTo("dep-" + sha256Prefix("1:m;11:groq/gpt-4o;25:https://api.openai.com/v1;0:;"));
  }

  private static String sha256Prefix(String canonical) throws Exception {
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
        .digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest, 0, 5);
  }

  @Test
  void aLiteLlmProxyConfigStartsWithWarningsForWhatItCannotUse() throws Exception {
    GatewayConfig config = load("proxy-config.yaml", Map.of("AZURE_API_KEY", "az", "OPENAI_API_KEY", "oa",
        "ANTHROPIC_API_KEY", "an", "GROQ_API_KEY", "gq", "OPENROUTER_API_KEY", "or", "REDIS_HOST", "redis"));

    assertThat(config.deployments()).extracting(Deployment::alias).containsExactly("gpt-3.5-turbo",
        "gpt-3.5-turbo", "gpt-4", "claude-sonnet", "llama3", "mixtral", "gemini");
    assertThat(config.deploymentsFor("gpt-3.5-turbo")).extracting(d -> d.settings(OpenAiSettings.class).api())
        .containsExactly(OpenAiCompatible.AZURE, OpenAiCompatible.OPENAI);
    assertThat(config.deploymentsFor("gpt-4o")).extracting(Deployment::alias).containsExactly("gpt-4");
    assertThat(config.general().masterKey()).isEqualTo(new Secret("sk-1234"));
    assertThat(config.groups().fallbacksFor("gpt-3.5-turbo", false)).containsExactly("gpt-4", "claude-sonnet");
    assertThat(config.groups().fallbacksFor("gpt-3.5-turbo", true)).containsExactly("gpt-4");
    assertThat(config.router().numRetries()).isEqualTo(3);
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).startsWith(
        "model_list[3]: deployment 'text-embedding-ada-002' skipped"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).startsWith(
        "model_list[7]: deployment 'local' skipped: provider 'ollama/' is not supported"));
    assertThat(config.warnings()).contains("router_settings.redis_host: unknown key, ignored",
        "litellm_settings.telemetry: LiteLLM setting not supported by Affinity, ignored",
        "general_settings.store_model_in_db: unknown key, ignored");
  }
}
