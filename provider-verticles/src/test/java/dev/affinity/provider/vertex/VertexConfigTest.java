package dev.affinity.provider.vertex;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.ConfigProblem;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ProviderKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VertexConfigTest {

  private static final String SERVICE_ACCOUNT = "{\"type\": \"service_account\", \"project_id\": \"proj-one\","
      + " \"client_email\": \"gw@proj-one.iam.gserviceaccount.com\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIsecret\\n-----END PRIVATE KEY-----\\n\"}";

  /** Two projects serving one alias, as a LiteLLM file writes them. */
  private static final String TWO_PROJECTS = """
      model_list:
      - model_name: claude-sonnet-4-5
        litellm_params:
          model: vertex_ai/claude-sonnet-4-5@20250929
          vertex_project: proj-one
          vertex_location: us-east5
          vertex_credentials: /etc/affinity/proj-one.json
      - model_name: claude-sonnet-4-5
        litellm_params:
          model: vertex_ai/claude-sonnet-4-5@20250929
          vertex_project: proj-two
          vertex_location: global
          vertex_credentials: os.environ/PROJ_TWO_KEY
      """;

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems().stream().map(ConfigProblem::toString).toList();
  }

  private static String deployment(String params) {
    return """
        model_list:
        - model_name: claude-sonnet-4-5
          litellm_params:
            model: vertex_ai/claude-sonnet-4-5@20250929
        """ + params.indent(4);
  }

  @Test
  void loadsTwoProjectsWithTheirEndpointsScopesAndCredentials() throws Exception {
    GatewayConfig config = ConfigLoader.parse(TWO_PROJECTS, Map.of("PROJ_TWO_KEY", SERVICE_ACCOUNT));

    assertThat(config.warnings()).isEmpty();
    Deployment one = config.deployments().get(0);
    Deployment two = config.deployments().get(1);
    assertThat(one.provider()).isEqualTo(ProviderKind.VERTEX);
    assertThat(one.model()).isEqualTo("claude-sonnet-4-5@20250929");
    assertThat(one.apiKey().present()).isFalse();
    assertThat(one.apiBase()).isEqualTo("https://us-east5-aiplatform.googleapis.com");
    assertThat(two.apiBase()).isEqualTo("https://aiplatform.googleapis.com");
    assertThat(one.settings(VertexSettings.class).project()).isEqualTo("proj-one");
    assertThat(one.settings(VertexSettings.class).inlineCredentials()).isFalse();
    assertThat(one.settings(VertexSettings.class).credentialsSource()).isEqualTo("the service account file /etc/affinity/proj-one.json");
    assertThat(two.settings(VertexSettings.class).inlineCredentials()).isTrue();
    assertThat(two.settings(VertexSettings.class).credentialsSource()).startsWith("the inline service account JSON sha256:")
        .doesNotContain("MIIsecret");
    assertThat(one.cacheScope()).isEqualTo("vertex:proj-one");
    assertThat(two.cacheScope()).isEqualTo("vertex:proj-two");
    assertThat(one.id()).isNotEqualTo(two.id()).matches("dep-[0-9a-f]{10}");
    assertThat(config.deploymentsFor("claude-sonnet-4-5")).containsExactly(one, two);
  }

  @Test
  void withoutCredentialsTheApplicationDefaultCredentialsAreUsed() throws Exception {
    Deployment deployment = ConfigLoader.parse(deployment("""
        vertex_project: proj-one
        vertex_location: europe-west1
        api_base: http://127.0.0.1:9100/
        cache_scope: shared
        """), Map.of()).deployments().get(0);

    assertThat(deployment.settings(VertexSettings.class).credentials()).isNull();
    assertThat(deployment.settings(VertexSettings.class).credentialsSource()).isEqualTo("the application default credentials");
    assertThat(deployment.apiBase()).isEqualTo("http://127.0.0.1:9100");
    assertThat(deployment.cacheScope()).isEqualTo("shared");
  }

  @Test
  void projectAndLocationMayComeFromLiteLlmsVariables() throws Exception {
    Deployment deployment = ConfigLoader.parse(deployment(""), Map.of("VERTEXAI_PROJECT", "proj-env",
        "VERTEXAI_LOCATION", "us-east5")).deployments().get(0);

    assertThat(deployment.settings(VertexSettings.class).project()).isEqualTo("proj-env");
    assertThat(deployment.settings(VertexSettings.class).location()).isEqualTo("us-east5");
  }

  @Test
  void aMissingProjectAndLocationAreNamedWithTheirPaths() {
    assertThat(problems(deployment(""), Map.of())).containsExactly(
        "model_list[0].litellm_params.vertex_project: required (or set environment variable VERTEXAI_PROJECT)",
        "model_list[0].litellm_params.vertex_location: required (or set environment variable VERTEXAI_LOCATION)");
  }

  @Test
  void badValuesAreProblemsThatNeverQuoteTheKey() {
    List<String> problems = problems(deployment("""
        vertex_project: Not A Project
        vertex_location: moon
        vertex_credentials: '{"type": "authorized_user", "refresh_token": "MIIsecret"}'
        api_key: sk-not-used
        """), Map.of());

    assertThat(problems).containsExactly(
        "model_list[0].litellm_params.vertex_project: must be a Google Cloud project id, e.g. my-project-123",
        "model_list[0].litellm_params.vertex_location: must be a Vertex AI region such as us-east5, or global",
        "model_list[0].litellm_params.vertex_credentials: must be a service account key (\"type\":"
            + " \"service_account\"), or a path to one",
        "model_list[0].litellm_params.api_key: not used by Vertex AI deployments: give vertex_credentials (a service"
            + " account key file, or its JSON), or neither for Google's application default credentials");
    assertThat(String.join("\n", problems)).doesNotContain("MIIsecret");
  }

  @Test
  void geminiIsServedOnVertexWithTheProjectsSettings() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: gemini-flash
          litellm_params:
            model: vertex_ai/gemini-2.5-flash
            vertex_project: proj-one
            vertex_location: europe-west4
            vertex_credentials: /etc/affinity/proj-one.json
        """, Map.of());

    assertThat(config.warnings()).isEmpty();
    Deployment gemini = config.deployments().get(0);
    assertThat(gemini.provider()).isEqualTo(ProviderKind.VERTEX);
    assertThat(gemini.model()).isEqualTo("gemini-2.5-flash");
    assertThat(VertexSettings.servesGemini(gemini.model())).isTrue();
    assertThat(gemini.apiBase()).isEqualTo("https://europe-west4-aiplatform.googleapis.com");
    assertThat(gemini.settings(VertexSettings.class).project()).isEqualTo("proj-one");
    assertThat(gemini.apiKey().present()).isFalse();
    assertThat(gemini.cacheScope()).isEqualTo("vertex:proj-one");
    assertThat(VertexSettings.servesGemini("claude-sonnet-4-5@20250929")).isFalse();
  }

  @Test
  void onlyClaudeAndGeminiAreServedOnVertex() {
    assertThat(problems("""
        model_list:
        - model_name: llama
          litellm_params:
            model: vertex_ai/llama-3.3-70b-instruct-maas
            vertex_project: proj-one
            vertex_location: us-east5
        """, Map.of())).containsExactly("model_list: no deployment can be served by Affinity: model_list[0]:"
        + " deployment 'llama' skipped: only Anthropic Claude and Google Gemini models are served on Vertex AI,"
        + " e.g. vertex_ai/claude-sonnet-4-5@20250929 or vertex_ai/gemini-2.5-flash");
  }

  @Test
  void vertexKeysOnAnotherProviderAreIgnoredWithAWarning() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
        - model_name: claude-sonnet-4-5
          litellm_params:
            model: anthropic/claude-sonnet-4-5
            api_key: sk-1
            vertex_project: proj-one
        """, Map.of());

    assertThat(config.deployments().get(0).settings()).isNotInstanceOf(VertexSettings.class);
    assertThat(config.warnings()).extracting(Object::toString).containsExactly(
        "model_list[0].litellm_params.vertex_project: only used by Vertex AI deployments, ignored");
  }
}
