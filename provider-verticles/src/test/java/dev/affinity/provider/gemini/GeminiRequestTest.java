package dev.affinity.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GeminiRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode translate(String anthropic) throws Exception {
    return GeminiRequest.request(JSON.readTree(anthropic));
  }

  @Test
  void translatesSystemMessagesAndGenerationSettings() throws Exception {
    JsonNode gemini = translate("""
        {"model": "flash", "max_tokens": 512, "temperature": 0.2, "top_p": 0.9, "stop_sequences": ["END"],
         "metadata": {"user_id": "u1"},
         "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": "Answer in French."}],
         "messages": [
           {"role": "user", "content": "Bonjour"},
           {"role": "assistant", "content": [{"type": "thinking", "thinking": "hm", "signature": "s"},
                                             {"type": "text", "text": "Salut"}]},
           {"role": "user", "content": [{"type": "text", "text": "Look", "cache_control": {"type": "ephemeral"}},
             {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]}]}
        """);

    assertThat(gemini.toString()).isEqualTo(JSON.readTree("""
        {"systemInstruction": {"parts": [{"text": "You are terse."}, {"text": "Answer in French."}]},
         "contents": [
           {"role": "user", "parts": [{"text": "Bonjour"}]},
           {"role": "model", "parts": [{"text": "Salut"}]},
           {"role": "user", "parts": [{"text": "Look"}, {"inlineData": {"mimeType": "image/png", "data": "iVBOR"}}]}],
         "generationConfig": {"maxOutputTokens": 512, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]}}
        """).toString());
  }

  @Test
  void translatesToolsCallsAndResultsWithTheCallsName() throws Exception {
    JsonNode gemini = translate("""
        {"max_tokens": 100, "tool_choice": {"type": "tool", "name": "weather"},
         "tools": [{"name": "weather", "description": "Weather of a city",
                    "input_schema": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                      "additionalProperties": false,
                      "properties": {"city": {"type": "string"},
                                     "additionalProperties": {"type": "object", "additionalProperties": true}},
                      "required": ["city"]}},
                   {"type": "web_search_20250305", "name": "web_search"}],
         "messages": [
           {"role": "user", "content": "Weather in Paris?"},
           {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "weather",
                                              "input": {"city": "Paris"}}]},
           {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                          "content": [{"type": "text", "text": "Sunny"}]},
                                         {"type": "tool_result", "tool_use_id": "toolu_1", "is_error": true,
                                          "content": "timeout"}]}]}
        """);

    assertThat(gemini.path("tools").toString()).isEqualTo(JSON.readTree("""
        [{"functionDeclarations": [{"name": "weather", "description": "Weather of a city",
          "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "additionalProperties": {"type": "object"}},
            "required": ["city"]}}]}]
        """).toString());
    assertThat(gemini.path("toolConfig").toString())
        .isEqualTo("{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"weather\"]}}");
    assertThat(gemini.path("contents").path(1).toString())
        .isEqualTo("{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"weather\",\"args\":{\"city\":\"Paris\"}}}]}");
    assertThat(gemini.path("contents").path(2).path("parts").toString()).isEqualTo(
        "[{\"functionResponse\":{\"name\":\"weather\",\"response\":{\"result\":\"Sunny\"}}},"
            + "{\"functionResponse\":{\"name\":\"weather\",\"response\":{\"error\":\"timeout\"}}}]");
  }

  @Test
  void refusesABodyWithoutMessages() {
    assertThatThrownBy(() -> translate("{\"max_tokens\": 5}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messages");
  }
}
