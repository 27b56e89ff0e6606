package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BedrockRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Shaped like an agent CLI's request: markers on system blocks and a message, a request-level marker, extras. */
  private static final String CLIENT_BODY = """
      {"model":"us.anthropic.claude-sonnet-4-5-20250929-v1:0","max_tokens":512,"stream":true,
       "cache_control":{"type":"ephemeral"},
       "system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],
       "messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}],
       "thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u1"}}
      """;

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void movesModelAndStreamOutAndKeepsEverythingElse() throws Exception {
    JsonNode client = json(CLIENT_BODY);
    BedrockRequest request = BedrockRequest.of(client, Map.of());

    assertThat(request.modelId()).isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    assertThat(request.stream()).isTrue();
    assertThat(request.path())
        .isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream");
    JsonNode body = JSON.readTree(request.bytes());
    assertThat(body.fieldNames()).toIterable().containsExactly("anthropic_version", "max_tokens", "system",
        "messages", "thinking", "metadata");
    assertThat(body.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
    assertThat(body.get("system")).isEqualTo(client.get("system"));
    assertThat(body.at("/messages/0/content/0/cache_control/ttl").asText()).isEqualTo("1h");
    assertThat(body.get("thinking")).isEqualTo(client.get("thinking"));
    // the router's tree is not touched: it may be hashed or logged after the call
    assertThat(client).isEqualTo(json(CLIENT_BODY));
  }

  @Test
  void aRequestThatDoesNotStreamIsInvoked() throws Exception {
    BedrockRequest request = BedrockRequest.of(json("""
        {"model":"anthropic.claude-3-5-haiku-20241022-v1:0","max_tokens":5,"messages":[]}"""), Map.of());
    assertThat(request.stream()).isFalse();
    assertThat(request.path()).isEqualTo("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke");
  }

  @Test
  void anInferenceProfileArnIsOnePathSegment() throws Exception {
    BedrockRequest request = BedrockRequest.of(json("""
        {"model":"arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/ab12 cd","messages":[]}"""),
        Map.of());
    assertThat(request.path()).isEqualTo("/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3A"
        + "application-inference-profile%2Fab12%20cd/invoke");
  }

  @Test
  void betaHeaderValuesBecomeTheBodyArrayAndUnsupportedOnesAreLeftOut() throws Exception {
    BedrockRequest request = BedrockRequest.of(json("""
            {"model":"m.anthropic.x","messages":[],"anthropic_beta":["token-efficient-tools-2025-02-19"],
             "anthropic_version":"2023-06-01"}"""),
        Map.of("anthropic-beta", "claude-code-20250219, interleaved-thinking-2025-05-14,context-1m-2025-08-07,"
            + "token-efficient-tools-2025-02-19,oauth-2025-04-20", "anthropic-version", "2023-06-01"));

    JsonNode body = JSON.readTree(request.bytes());
    assertThat(body.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
    assertThat(JSON.convertValue(body.get("anthropic_beta"), String[].class)).containsExactly(
        "token-efficient-tools-2025-02-19", "interleaved-thinking-2025-05-14", "context-1m-2025-08-07");
    assertThat(request.droppedBetas()).containsExactly("claude-code-20250219", "oauth-2025-04-20");
  }

  @Test
  void noBetasMeansNoBetaField() throws Exception {
    JsonNode body = JSON.readTree(BedrockRequest.of(json("{\"model\":\"m.anthropic.x\",\"messages\":[]}"),
        Map.of("anthropic-beta", "claude-code-20250219")).bytes());
    assertThat(body.has("anthropic_beta")).isFalse();
  }

  @Test
  void countTokensWrapsTheInvokeBody() throws Exception {
    BedrockRequest request = BedrockRequest.of(json("""
        {"model":"us.anthropic.claude-sonnet-4-5-20250929-v1:0","messages":[{"role":"user","content":"hi"}]}"""),
        Map.of());
    assertThat(request.countTokensPath()).isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens");
    JsonNode wrapped = JSON.readTree(request.countTokensBytes());
    JsonNode invoke = JSON.readTree(Base64.getDecoder().decode(wrapped.at("/input/invokeModel/body").asText()));
    assertThat(invoke.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
    assertThat(invoke.get("max_tokens").asInt()).isEqualTo(1);
    assertThat(invoke.at("/messages/0/content").asText()).isEqualTo("hi");
  }

  @Test
  void rejectsWhatIsNotAMessagesRequest() throws Exception {
    assertThatThrownBy(() -> BedrockRequest.of(json("[1]"), Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BedrockRequest.of(json("{\"messages\":[]}"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("model: required");
  }
}
