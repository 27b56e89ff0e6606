package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bedrock's and Vertex AI's paths and envelopes read as the Messages request they carry, and their model ids. */
class CloudApiRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bedrockPathsNameTheModelPercentDecodedAndWhetherToStream() {
    CloudApiRequest invoke = CloudApiRequest.bedrock("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    assertThat(invoke.modelId()).isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    assertThat(invoke.stream()).isFalse();
    CloudApiRequest stream = CloudApiRequest.bedrock(
        "/model/us.anthropic.claude-opus-4-5-20251101-v1:0/invoke-with-response-stream");
    assertThat(stream.modelId()).isEqualTo("us.anthropic.claude-opus-4-5-20251101-v1:0");
    assertThat(stream.stream()).isTrue();
    assertThat(CloudApiRequest.bedrock("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/invoke")
        .modelId()).isEqualTo("arn:aws:bedrock:us-east-1:1:inference-profile/x");
  }

  @Test
  void vertexPathsNameTheModelOrLeaveItToTheCountTokensBody() throws Exception {
    String prefix = "/v1/projects/p/locations/us-east5/publishers/anthropic/models/";
    CloudApiRequest stream = CloudApiRequest.vertex(prefix + "claude-sonnet-4-5@20250929:streamRawPredict");
    assertThat(stream.modelId()).isEqualTo("claude-sonnet-4-5@20250929");
    assertThat(stream.stream()).isTrue();
    assertThat(CloudApiRequest.vertex(prefix + "claude-sonnet-4-5@20250929:rawPredict").stream()).isFalse();
    CloudApiRequest count = CloudApiRequest.vertex(prefix + "count-tokens:rawPredict");
    assertThat(count.countTokens()).isTrue();
    assertThat(count.model(JSON.readTree("{\"model\":\"claude-haiku-4-5@20251001\"}")))
        .isEqualTo("claude-haiku-4-5@20251001");
    assertThatThrownBy(() -> count.model(JSON.readTree("{}"))).isInstanceOf(GatewayErrorException.class);
  }

  @Test
  void theEnvelopeBecomesTheMessagesBodyForTheAlias() throws Exception {
    JsonNode sent = JSON.readTree("{\"anthropic_version\":\"bedrock-2023-05-31\",\"anthropic_beta\":"
        + "[\"context-1m-2025-08-07\"],\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    CloudApiRequest stream = CloudApiRequest.bedrock("/model/m/invoke-with-response-stream");
    JsonNode messages = stream.messages(sent, "sonnet");
    assertThat(messages.toString()).isEqualTo("{\"model\":\"sonnet\",\"max_tokens\":8,\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"hi\"}],\"stream\":true}");
    assertThat(CloudApiRequest.betas(sent)).containsExactly("context-1m-2025-08-07");
    assertThat(CloudApiRequest.bedrock("/model/m/invoke").messages(sent, "sonnet").path("stream").asBoolean(true))
        .isFalse();
    assertThatThrownBy(() -> CloudApiRequest.betas(JSON.readTree("{\"anthropic_beta\":\"x\"}")))
        .isInstanceOf(GatewayErrorException.class);
  }

  @Test
  void theBetaHeaderTakesTheHeadersValuesAndTheBodysEachOnce() throws Exception {
    JsonNode sent = JSON.readTree("{\"anthropic_beta\":[\"claude-code-20250219\",\"context-1m-2025-08-07\"]}");
    assertThat(CloudApiRequest.betaHeader(List.of("claude-code-20250219, interleaved-thinking-2025-05-14"), sent))
        .isEqualTo("claude-code-20250219,interleaved-thinking-2025-05-14,context-1m-2025-08-07");
    assertThat(CloudApiRequest.betaHeader(List.of(), sent)).isEqualTo("claude-code-20250219,context-1m-2025-08-07");
    // no betas in the body: the header goes as the client sent it
    assertThat(CloudApiRequest.betaHeader(List.of("a,b"), JSON.readTree("{}"))).isNull();
  }

  @Test
  void modelIdsResolveExactlyThenByTheAnthropicNameThenByWildcard() throws Exception {
    CloudModelCatalog catalog = new CloudModelCatalog(ConfigLoader.parse("""
        model_list:
        - model_name: claude-sonnet-4-5-20250929
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k}
        - model_name: us.anthropic.claude-opus-4-5-20251101-v1:0
          litellm_params: {model: anthropic/claude-opus-4-5-20251101, api_key: k}
        - model_name: claude-haiku-*
          litellm_params: {model: anthropic/claude-haiku-*, api_key: k}
        """, Map.of()));
    assertThat(catalog.alias("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(catalog.alias("claude-sonnet-4-5@20250929")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(catalog.alias("us.anthropic.claude-opus-4-5-20251101-v1:0"))
        .isEqualTo("us.anthropic.claude-opus-4-5-20251101-v1:0");
    assertThat(catalog.alias("claude-haiku-4-5@20251001")).isEqualTo("claude-haiku-4-5-20251001");
    assertThat(catalog.alias("global.anthropic.claude-haiku-4-5-20251001-v1:0")).isEqualTo("claude-haiku-4-5-20251001");
    assertThat(catalog.alias("us.anthropic.claude-opus-5-5")).isEqualTo("us.anthropic.claude-opus-5-5");
    assertThat(CloudModelCatalog.anthropicName("us.anthropic.claude-opus-4-6-v1")).isEqualTo("claude-opus-4-6");
  }

  @Test
  void aModelIdFindsTheAliasWhoseDeploymentsServeItWhenNoAliasIsNamedAfterIt() throws Exception {
    CloudModelCatalog catalog = new CloudModelCatalog(ConfigLoader.parse("""
        model_list:
        - model_name: gpt-4o
          litellm_params: {model: openai/gpt-4o, api_key: k}
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k}
        - model_name: sonnet
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k}
        - model_name: claude-haiku-4-5
          litellm_params: {model: anthropic/claude-haiku-4-5, api_key: k}
        - model_name: claude-opus-4-5
          litellm_params: {model: anthropic/claude-opus-4-5-20251101, api_key: k}
        - model_name: claude-opus-*
          litellm_params: {model: anthropic/claude-opus-*, api_key: k}
        """, Map.of()));
    // the snapshot an alias's deployments send upstream: the first such alias in the file
    assertThat(catalog.alias("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).isEqualTo("claude-sonnet-4-5");
    assertThat(catalog.alias("claude-sonnet-4-5@20250929")).isEqualTo("claude-sonnet-4-5");
    // served exactly, so before the wildcard; another snapshot of the family goes to the wildcard, which sends it
    assertThat(catalog.alias("global.anthropic.claude-opus-4-5-20251101-v1:0")).isEqualTo("claude-opus-4-5");
    assertThat(catalog.alias("us.anthropic.claude-opus-4-5-20260101-v1:0")).isEqualTo("claude-opus-4-5-20260101");
    // a dated id for an alias of the undated model: Anthropic's undated name is that model's alias
    assertThat(catalog.alias("us.anthropic.claude-haiku-4-5-20251001-v1:0")).isEqualTo("claude-haiku-4-5");
    // not a Claude model, and nothing served: the id as sent, for the router's 404
    assertThat(catalog.alias("gpt-4o-2024-08-06")).isEqualTo("gpt-4o-2024-08-06");
    assertThat(catalog.alias("us.anthropic.claude-sonnet-4-6-20260101-v1:0"))
        .isEqualTo("us.anthropic.claude-sonnet-4-6-20260101-v1:0");
  }

  @Test
  void theListedProfilesAreTheClaudeModelsTheDeploymentsServeOnceEachInFileOrder() throws Exception {
    CloudModelCatalog catalog = new CloudModelCatalog(ConfigLoader.parse("""
        model_list:
        - model_name: gpt-4o
          litellm_params: {model: openai/gpt-4o, api_key: k}
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k}
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k2}
        - model_name: us.anthropic.claude-3-5-sonnet-20241022-v2:0
          litellm_params: {model: anthropic/claude-3-5-sonnet-20241022, api_key: k}
        - model_name: claude-*
          litellm_params: {model: anthropic/claude-*, api_key: k}
        """, Map.of()));
    assertThat(catalog.profiles()).containsExactly(
        Map.entry("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        Map.entry("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "us.anthropic.claude-3-5-sonnet-20241022-v2:0"));
    // every listed id routes to the alias it is listed for
    catalog.profiles().forEach((id, alias) -> assertThat(catalog.alias(id)).isEqualTo(alias));
    assertThat(CloudModelCatalog.foundationModel("us.anthropic.claude-3-5-sonnet-20241022-v2:0"))
        .isEqualTo("anthropic.claude-3-5-sonnet-20241022-v2:0");
    assertThat(CloudModelCatalog.foundationModel("claude-haiku-4-5@20251001"))
        .isEqualTo("anthropic.claude-haiku-4-5-20251001-v1:0");
  }
}
