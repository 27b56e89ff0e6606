package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.provider.translate.MessagesToChat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An OpenAI client holding a tool conversation with Claude through both translations: what Claude said comes back to
 * it unchanged on the next turn, and earlier turns translate to the same blocks every time, so the prompt cache
 * keeps hitting.
 */
class ToolConversationRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void claudesTurnComesBackAsItWasAndEarlierTurnsTranslateAlike() throws JsonProcessingException {
    ObjectNode turn1 = (ObjectNode) json("""
        {"model":"claude-alias","stream":false,
         "tools":[{"type":"function","function":{"name":"read_file","description":"Read a file",
           "parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}],
         "messages":[
           {"role":"system","content":[{"type":"text","text":"You are a coding agent.","cache_control":{"type":"ephemeral"}}]},
           {"role":"user","content":"What does pom.xml declare?"}]}""");
    ObjectNode anthropic1 = ChatToMessages.request(turn1);

    JsonNode claudeContent = json("""
        [{"type":"thinking","thinking":"Read it first.","signature":"EqQBCgIYAhIM"},
         {"type":"text","text":"Reading both files."},
         {"type":"tool_use","id":"toolu_01","name":"read_file","input":{"path":"pom.xml"}},
         {"type":"tool_use","id":"toolu_02","name":"read_file","input":{"path":"README.md"}}]""");
    ObjectNode claudeAnswer = JSON.createObjectNode().put("id", "msg_1").put("stop_reason", "tool_use");
    claudeAnswer.set("content", claudeContent);
    claudeAnswer.set("usage", json("{\"input_tokens\":10,\"cache_creation_input_tokens\":1500,\"output_tokens\":60}"));
    // the client receives bytes: go through text as it would
    JsonNode completion = json(JSON.writeValueAsString(MessagesToChat.response(claudeAnswer, "claude-alias", false, 1L)));
    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");

    ObjectNode turn2 = turn1.deepCopy();
    ArrayNode messages = turn2.withArray("messages");
    messages.add(completion.at("/choices/0/message"));
    messages.addObject().put("role", "tool").put("tool_call_id", "toolu_01").put("content", "<project/>");
    messages.addObject().put("role", "tool").put("tool_call_id", "toolu_02").put("content", "# Demo");
    ObjectNode anthropic2 = ChatToMessages.request(turn2);

    JsonNode sent = anthropic2.get("messages");
    assertThat(sent).hasSize(3);
    assertThat(sent.get(0)).isEqualTo(anthropic1.at("/messages/0"));
    assertThat(sent.get(1).get("role").asText()).isEqualTo("assistant");
    assertThat(sent.get(1).get("content")).isEqualTo(claudeContent);
    assertThat(sent.get(2)).isEqualTo(json("""
        {"role":"user","content":[
          {"type":"tool_result","tool_use_id":"toolu_01","content":"<project/>"},
          {"type":"tool_result","tool_use_id":"toolu_02","content":"# Demo"}]}"""));
    assertThat(anthropic2.get("system")).isEqualTo(anthropic1.get("system"));
    assertThat(anthropic2.get("tools")).isEqualTo(anthropic1.get("tools"));
  }
}
