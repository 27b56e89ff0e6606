package dev.affinity.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;
import org.junit.jupiter.api.Test;

class GeminiToAnthropicTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void translatesTextCallsStopReasonAndCachedUsage() throws Exception {
    JsonNode message = GeminiToAnthropic.message(JSON.readTree("""
        {"responseId": "abc",
         "candidates": [{"content": {"role": "model", "parts": [
             {"text": "thinking...", "thought": true}, {"text": "Let me "}, {"text": "check."},
             {"functionCall": {"name": "weather", "args": {"city": "Paris"}}}]},
           "finishReason": "STOP"}],
         "usageMetadata": {"promptTokenCount": 5000, "cachedContentTokenCount": 4096,
                           "candidatesTokenCount": 20, "thoughtsTokenCount": 7, "totalTokenCount": 5027}}
        """), "my-alias");

    assertThat(message.path("id").asText()).isEqualTo("msg_abc");
    assertThat(message.path("model").asText()).isEqualTo("my-alias");
    assertThat(message.path("content").size()).isEqualTo(2);
    assertThat(message.path("content").path(0).toString()).isEqualTo("{\"type\":\"text\",\"text\":\"Let me check.\"}");
    JsonNode call = message.path("content").path(1);
    assertThat(call.path("type").asText()).isEqualTo("tool_use");
    assertThat(call.path("id").asText()).startsWith("toolu_");
    assertThat(call.path("input").toString()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(message.path("usage").toString()).isEqualTo(
        "{\"input_tokens\":904,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":4096,\"output_tokens\":27}");
  }

  @Test
  void mapsFinishReasons() throws Exception {
    assertThat(GeminiToAnthropic.message(JSON.readTree(
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"cut\"}]},\"finishReason\":\"MAX_TOKENS\"}]}"), "m")
        .path("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(GeminiToAnthropic.message(JSON.readTree(
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},\"finishReason\":\"STOP\"}]}"), "m")
        .path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(GeminiToAnthropic.message(JSON.readTree(
        "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}"), "m").path("stop_reason").asText()).isEqualTo("refusal");
  }

  @Test
  void usageWithoutCacheIsAllInput() throws Exception {
    assertThat(GeminiToAnthropic.usage(JSON.readTree("{\"promptTokenCount\":12,\"candidatesTokenCount\":3}")))
        .isEqualTo(new TokenUsage(12, 0, 0, 0, 0, 3));
  }

  @Test
  void mapsGoogleErrorsToAnthropicTypesWithoutTheKey() throws Exception {
    assertThat(error(429, "RESOURCE_EXHAUSTED", "Quota exceeded")).extracting(GatewayError::status,
        GatewayError::type).containsExactly(429, "rate_limit_error");
    assertThat(error(400, "INVALID_ARGUMENT", "Invalid JSON payload")).extracting(GatewayError::status,
        GatewayError::type).containsExactly(400, "invalid_request_error");
    assertThat(error(403, "PERMISSION_DENIED", "denied")).extracting(GatewayError::status,
        GatewayError::type).containsExactly(403, "permission_error");
    assertThat(error(500, "INTERNAL", "boom")).extracting(GatewayError::status,
        GatewayError::type).containsExactly(500, "api_error");
    assertThat(error(503, "UNAVAILABLE", "overloaded")).extracting(GatewayError::status,
        GatewayError::type).containsExactly(529, "overloaded_error");
    GatewayError badKey = error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    assertThat(badKey.type()).isEqualTo("authentication_error");
    assertThat(badKey.message()).contains("deployment dep-1").contains("API key not valid");
    assertThat(GeminiToAnthropic.error(502, null, "dep-1").type()).isEqualTo("api_error");
  }

  private static GatewayError error(int code, String status, String message) throws Exception {
    return GeminiToAnthropic.error(code, JSON.readTree("{\"error\":{\"code\":" + code + ",\"message\":\"" + message
        + "\",\"status\":\"" + status + "\"}}"), "dep-1");
  }
}
