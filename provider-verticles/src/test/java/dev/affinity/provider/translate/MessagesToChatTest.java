package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MessagesToChatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void textAndToolUseBecomeContentAndToolCalls() {
    JsonNode message = json("""
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":[
           {"type":"text","text":"Checking "},
           {"type":"text","text":"both cities."},
           {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","units":{"temp":"C"}}},
           {"type":"tool_use","id":"toolu_01B","name":"now","input":{}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":25,"cache_creation_input_tokens":1200,"cache_read_input_tokens":30000,
                  "output_tokens":88}}""");

    assertThat(asSent(MessagesToChat.response(message, "claude-alias", false, 1_700_000_000L))).isEqualTo(json("""
        {"id":"chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion","created":1700000000,
         "model":"claude-alias",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Checking both cities.","tool_calls":[
             {"id":"toolu_01A","type":"function",
              "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\",\\"units\\":{\\"temp\\":\\"C\\"}}"}},
             {"id":"toolu_01B","type":"function","function":{"name":"now","arguments":"{}"}}]},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":31225,"completion_tokens":88,"total_tokens":31313,
                  "prompt_tokens_details":{"cached_tokens":30000},
                  "cache_read_input_tokens":30000,"cache_creation_input_tokens":1200}}"""));
  }

  @Test
  void inJsonModeTheJsonToolsInputIsTheContentAndTheTurnAStop() {
    JsonNode message = json("""
        {"id":"msg_1","content":[{"type":"tool_use","id":"toolu_1","name":"json_tool_call",
          "input":{"city":"Paris","days":[1,2]}}],"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":9}}""");
    JsonNode choice = MessagesToChat.response(message, "x", true, 0).at("/choices/0");
    assertThat(choice.at("/message/content").asText()).isEqualTo("{\"city\":\"Paris\",\"days\":[1,2]}");
    assertThat(choice.at("/message").has("tool_calls")).isFalse();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");

    JsonNode notAsked = MessagesToChat.response(message, "x", false, 0).at("/choices/0");
    assertThat(notAsked.at("/message/tool_calls/0/function/name").asText()).isEqualTo("json_tool_call");
    assertThat(notAsked.path("finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void aToolOnlyTurnHasNullContentAndAnEmptyAnswerHasEmptyContent() {
    JsonNode toolOnly = json("""
        {"id":"m","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":1}}],"stop_reason":"tool_use",
         "usage":{"input_tokens":1,"output_tokens":1}}""");
    assertThat(MessagesToChat.response(toolOnly, "x", false, 0).at("/choices/0/message/content").isNull()).isTrue();

    JsonNode empty = json("{\"id\":\"m\",\"content\":[],\"stop_reason\":\"end_turn\",\"usage\":{}}");
    assertThat(MessagesToChat.response(empty, "x", false, 0).at("/choices/0/message/content").asText()).isEmpty();
  }

  @Test
  void thinkingBecomesReasoningContentAndThinkingBlocks() {
    JsonNode message = json("""
        {"id":"m","content":[
           {"type":"thinking","thinking":"Paris is in France.","signature":"EqQBCgIYAhIM"},
           {"type":"redacted_thinking","data":"EmwKAhgB"},
           {"type":"text","text":"Paris."}],
         "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":20}}""");
    JsonNode assistant = MessagesToChat.response(message, "x", false, 0).at("/choices/0/message");
    assertThat(assistant).isEqualTo(json("""
        {"role":"assistant","content":"Paris.","reasoning_content":"Paris is in France.","thinking_blocks":[
          {"type":"thinking","thinking":"Paris is in France.","signature":"EqQBCgIYAhIM"},
          {"type":"redacted_thinking","data":"EmwKAhgB"}]}"""));
  }

  @Test
  void finishReasons() {
    assertThat(MessagesToChat.finishReason("end_turn")).isEqualTo("stop");
    assertThat(MessagesToChat.finishReason("stop_sequence")).isEqualTo("stop");
    assertThat(MessagesToChat.finishReason("max_tokens")).isEqualTo("length");
    assertThat(MessagesToChat.finishReason("model_context_window_exceeded")).isEqualTo("length");
    assertThat(MessagesToChat.finishReason("tool_use")).isEqualTo("tool_calls");
    assertThat(MessagesToChat.finishReason("refusal")).isEqualTo("content_filter");
    assertThat(MessagesToChat.finishReason("pause_turn")).isEqualTo("stop");
    assertThat(MessagesToChat.finishReason(null)).isNull();
  }

  @Test
  void usageCountsEveryInputTokenAsPromptAndCacheReadsAsCached() {
    assertThat(asSent(MessagesToChat.usage(json("""
        {"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":50000,"output_tokens":300,
         "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}}"""))))
        .isEqualTo(json("""
            {"prompt_tokens":50007,"completion_tokens":300,"total_tokens":50307,
             "prompt_tokens_details":{"cached_tokens":50000},
             "cache_read_input_tokens":50000,"cache_creation_input_tokens":0}"""));
    // older answers without cache fields
    assertThat(MessagesToChat.usage(json("{\"input_tokens\":12,\"output_tokens\":3}")).get("total_tokens").asLong())
        .isEqualTo(15);
  }

  @Test
  void errorsTakeOpenAiTypesAndCodes() {
    assertError(400, "invalid_request_error", "messages: roles must alternate", "invalid_request_error", null);
    assertError(401, "authentication_error", "invalid x-api-key", "invalid_request_error", "invalid_api_key");
    assertError(403, "permission_error", "no access", "invalid_request_error", "permission_denied");
    assertError(404, "not_found_error", "model: claude-x", "invalid_request_error", "model_not_found");
    assertError(413, "request_too_large", "too large", "invalid_request_error", "request_too_large");
    assertError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
        "requests", "rate_limit_exceeded");
    assertError(500, "api_error", "Internal server error", "server_error", null);
    assertError(529, "overloaded_error", "Overloaded", "server_error", "overloaded");
  }

  @Test
  void anErrorWithoutAnAnthropicBodyIsJudgedByItsStatus() {
    assertThat(MessagesToChat.error(429, null)).isEqualTo(json("""
        {"error":{"message":"The upstream model returned an error (rate_limit_error).","type":"requests",
          "param":null,"code":"rate_limit_exceeded"}}"""));
    assertThat(MessagesToChat.error(502, json("\"<html>Bad gateway</html>\"")).at("/error/type").asText())
        .isEqualTo("server_error");
    assertThat(MessagesToChat.error(422, json("{}")).at("/error/type").asText())
        .isEqualTo("invalid_request_error");
    // the same table as every pair's (GatewayError.anthropicTypeOf): a 402 is billing, a bare 503 is overloaded
    assertThat(MessagesToChat.error(402, null).at("/error/message").asText()).contains("billing_error");
    assertThat(MessagesToChat.error(503, null).at("/error/code").asText()).isEqualTo("overloaded");
  }

  @Test
  void overloadedIsAnsweredAsServiceUnavailable() {
    assertThat(MessagesToChat.status(529)).isEqualTo(503);
    assertThat(MessagesToChat.status(429)).isEqualTo(429);
  }

  /** As the client reads it: counts built as longs compare equal to the same numbers parsed as ints. */
  private static JsonNode asSent(JsonNode node) {
    return json(node.toString());
  }

  private static void assertError(int status, String anthropicType, String message, String type, String code) {
    JsonNode body = json("{\"type\":\"error\",\"error\":{\"type\":\"" + anthropicType + "\",\"message\":\"" + message
        + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}");
    JsonNode error = MessagesToChat.error(status, body).get("error");
    assertThat(error.get("message").asText()).isEqualTo(message);
    assertThat(error.get("type").asText()).isEqualTo(type);
    // a model call's 404 is about its model: the field at fault, as OpenAI's model_not_found
    assertThat(error.get("param").isNull() ? null : error.get("param").asText())
        .isEqualTo(status == 404 ? "model" : null);
    assertThat(error.get("code").isNull() ? null : error.get("code").asText()).isEqualTo(code);
  }
}
