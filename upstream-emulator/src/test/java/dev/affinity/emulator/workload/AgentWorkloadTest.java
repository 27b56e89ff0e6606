package dev.affinity.emulator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.affinity.emulator.ThinkingSignature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentWorkloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void sameSeedGivesSameBytesAndAnotherSeedDoesNot() {
    assertThat(AgentWorkload.agentRequestFixture(7)).isEqualTo(AgentWorkload.agentRequestFixture(7));
    assertThat(AgentWorkload.agentRequestFixture(7)).isNotEqualTo(AgentWorkload.agentRequestFixture(8));

    List<Session> first = new AgentWorkload(42, 2, 2).sessions();
    List<Session> second = new AgentWorkload(42, 2, 2).sessions();
    for (int i = 0; i < first.size(); i++) {
      for (int turn = 0; turn < 4; turn++) {
        assertThat(first.get(i).request(true)).isEqualTo(second.get(i).request(true));
        first.get(i).nextTurn("same reply");
        second.get(i).nextTurn("same reply");
      }
    }
  }

  @Test
  void fixtureIsAboutFiftyKilobytesWithAStreamingAgentShape() throws IOException {
    byte[] bytes = AgentWorkload.agentRequestFixture(42);
    assertThat(bytes.length).isBetween(40 * 1024, 70 * 1024);

    JsonNode request = JSON.readTree(bytes);
    assertThat(request.get("model").asText()).isEqualTo(AgentWorkload.DEFAULT_MODEL);
    assertThat(request.get("stream").asBoolean()).isTrue();
    assertThat(request.get("max_tokens").asInt()).isEqualTo(AgentWorkload.MAX_TOKENS);
    assertThat(request.get("thinking").get("type").asText()).isEqualTo("enabled");
    assertThat(request.get("thinking").get("budget_tokens").asInt()).isPositive().isLessThan(AgentWorkload.MAX_TOKENS);
    assertThat(request.has("context_management")).isTrue();
    assertThat(request.has("output_config")).isTrue();
    assertThat(request.get("metadata").get("user_id").asText()).startsWith("user_");
  }

  @Test
  void twelveToolsWithLongDescriptionsAndSchemas() throws IOException {
    JsonNode tools = JSON.readTree(AgentWorkload.agentRequestFixture(42)).get("tools");
    assertThat(tools).hasSize(12);
    Set<String> names = new HashSet<>();
    for (JsonNode tool : tools) {
      names.add(tool.get("name").asText());
      assertThat(tool.get("description").asText().split("\\s+").length).isGreaterThan(200);
      assertThat(tool.get("input_schema").get("type").asText()).isEqualTo("object");
      assertThat(tool.get("input_schema").get("properties").size()).isPositive();
      assertThat(tool.has("cache_control")).isFalse();
    }
    assertThat(names).hasSize(12).contains("Bash", "Read", "Edit", "Grep", "Write", "Glob");
  }

  @Test
  void systemHasThreeBlocksMarkedOnTheSecondAndThird() throws IOException {
    JsonNode system = JSON.readTree(AgentWorkload.agentRequestFixture(42)).get("system");
    assertThat(system).hasSize(3);
    assertThat(system.get(0).has("cache_control")).isFalse();
    assertThat(system.get(1).get("cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
    assertThat(system.get(2).get("cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
    assertThat(system.get(0).get("text").asText().length()).isLessThan(200);
    assertThat(system.get(1).get("text").asText().length()).isGreaterThan(8_000);
    assertThat(system.get(2).get("text").asText().length()).isBetween(2_000, 8_000);
  }

  @Test
  void toolsAndSystemExceedTheLargestMinimumCacheableSize() throws IOException {
    JsonNode request = JSON.readTree(AgentWorkload.agentRequestFixture(42));
    long chars = 0;
    for (JsonNode tool : request.get("tools")) {
      chars += tool.toString().length();
    }
    for (JsonNode block : request.get("system")) {
      chars += block.get("text").asText().length();
    }
    assertThat(chars / 4).isGreaterThan(4096);
  }

  @Test
  void onlyTheFirstBlockOfTheLastMessageCarriesAMarker() throws IOException {
    Session session = new AgentWorkload(42, 1, 1).sessions().get(0);
    for (int turn = 1; turn <= 5; turn++) {
      ArrayNode messages = messages(session);
      JsonNode last = messages.get(messages.size() - 1);
      assertThat(last.get("role").asText()).isEqualTo("user");
      assertThat(last.get("content").get(0).get("cache_control").get("type").asText()).isEqualTo("ephemeral");
      assertThat(markerCount(messages)).isEqualTo(1);
      session.nextTurn("reply " + turn);
    }
  }

  @Test
  void aSystemRoleMessageSitsInTheMiddleOfTheConversation() throws IOException {
    ArrayNode messages = (ArrayNode) JSON.readTree(AgentWorkload.agentRequestFixture(42)).get("messages");
    int index = -1;
    for (int i = 0; i < messages.size(); i++) {
      if ("system".equals(messages.get(i).get("role").asText())) {
        index = i;
      }
    }
    assertThat(index).isGreaterThan(0).isLessThan(messages.size() - 1);
  }

  @Test
  void nextTurnMovesTheMarkerAndResendsTheLastTextMessageAsAString() throws IOException {
    Session session = new AgentWorkload(42, 1, 1).sessions().get(0);
    ArrayNode before = messages(session);
    JsonNode previousLast = before.get(before.size() - 1);
    assertThat(previousLast.get("content").isArray()).isTrue();
    String previousText = previousLast.get("content").get(0).get("text").asText();

    session.nextTurn("I will read the file.");

    ArrayNode after = messages(session);
    assertThat(session.turn()).isEqualTo(2);
    assertThat(after).hasSize(before.size() + 2);
    assertThat(after.get(before.size() - 1).get("content")).isEqualTo(TextNode.valueOf(previousText));
    JsonNode assistant = after.get(before.size());
    assertThat(assistant.get("role").asText()).isEqualTo("assistant");
    // a tool call's turn starts with its thinking, as Claude requires while thinking: a stand-in when none was given
    JsonNode thinking = assistant.get("content").get(0);
    assertThat(thinking.get("type").asText()).isEqualTo("thinking");
    assertThat(thinking.get("signature").asText()).isEqualTo(ThinkingSignature.of(thinking.get("thinking").asText()));
    assertThat(assistant.get("content").get(1).get("text").asText()).isEqualTo("I will read the file.");
    JsonNode toolUse = assistant.get("content").get(2);
    assertThat(toolUse.get("type").asText()).isEqualTo("tool_use");
    JsonNode toolResult = after.get(before.size() + 1).get("content").get(0);
    assertThat(toolResult.get("type").asText()).isEqualTo("tool_result");
    assertThat(toolResult.get("tool_use_id")).isEqualTo(toolUse.get("id"));
    assertThat(toolResult.get("cache_control").get("type").asText()).isEqualTo("ephemeral");
    assertThat(markerCount(after)).isEqualTo(1);

    session.nextTurn("Tests pass.");

    ArrayNode third = messages(session);
    JsonNode toolTurn = third.get(before.size() + 1);
    assertThat(toolTurn.get("content").isArray()).as("a tool result stays a list").isTrue();
    assertThat(toolTurn.get("content").get(0).has("cache_control")).isFalse();
    JsonNode textTurn = third.get(third.size() - 1).get("content");
    assertThat(textTurn).hasSize(1);
    assertThat(textTurn.get(0).get("type").asText()).isEqualTo("text");
    assertThat(markerCount(third)).isEqualTo(1);
  }

  @Test
  void blankRepliesBecomeANonEmptyTextBlock() throws IOException {
    Session session = new AgentWorkload(42, 1, 1).sessions().get(0);
    session.nextTurn("  ");
    ArrayNode messages = messages(session);
    assertThat(messages.get(messages.size() - 2).get("content").get(1).get("text").asText()).isNotBlank();
  }

  @Test
  void theThinkingGivenWithTheReplyGoesBackFirstOnAToolCallsTurnOnly() throws IOException {
    Session session = new AgentWorkload(42, 1, 1).sessions().get(0);
    ObjectNode received = AgentWorkload.NODES.objectNode().put("type", "thinking").put("thinking", "Let me look.")
        .put("signature", "sig-from-the-answer");
    session.nextTurn("I will read the file.", received);
    ArrayNode messages = messages(session);
    assertThat(messages.get(messages.size() - 2).get("content").get(0)).isEqualTo(received);
    session.nextTurn("Done.", received);
    messages = messages(session);
    assertThat(messages.get(messages.size() - 2).get("content")).as("a text turn's reply: text alone").hasSize(1);
  }

  @Test
  void eachTurnExtendsThePreviousConversationOnceMarkersAndStringFormAreIgnored() throws IOException {
    Session session = new AgentWorkload(42, 1, 1).sessions().get(0);
    List<JsonNode> previous = normalized(messages(session));
    for (int turn = 0; turn < 6; turn++) {
      session.nextTurn("reply " + turn);
      List<JsonNode> current = normalized(messages(session));
      assertThat(current.subList(0, previous.size())).isEqualTo(previous);
      previous = current;
    }
  }

  @Test
  void tenantsShareToolsAndTheFirstTwoSystemBlocksButNotTheThird() throws IOException {
    List<Session> sessions = new AgentWorkload(42, 2, 2).sessions();
    assertThat(sessions).extracting(Session::id).containsExactly("t1-s1", "t1-s2", "t2-s1", "t2-s2");
    assertThat(sessions).extracting(Session::tenant).containsExactly("t1", "t1", "t2", "t2");
    JsonNode t1s1 = JSON.readTree(sessions.get(0).request(false));
    JsonNode t1s2 = JSON.readTree(sessions.get(1).request(false));
    JsonNode t2s1 = JSON.readTree(sessions.get(2).request(false));

    assertThat(t2s1.get("tools")).isEqualTo(t1s1.get("tools"));
    assertThat(t2s1.get("system").get(0)).isEqualTo(t1s1.get("system").get(0));
    assertThat(t2s1.get("system").get(1)).isEqualTo(t1s1.get("system").get(1));
    assertThat(t2s1.get("system").get(2)).isNotEqualTo(t1s1.get("system").get(2));
    assertThat(t1s2.get("system")).isEqualTo(t1s1.get("system"));
    assertThat(t1s2.get("messages")).isNotEqualTo(t1s1.get("messages"));
    assertThat(t1s2.get("metadata")).isNotEqualTo(t1s1.get("metadata"));
  }

  @Test
  void modelAliasAndStreamFlagAreTheCallers() throws IOException {
    Session session = new AgentWorkload(1, 1, 1, "team-sonnet").sessions().get(0);
    JsonNode request = JSON.readTree(session.request(false));
    assertThat(request.get("model").asText()).isEqualTo("team-sonnet");
    assertThat(request.get("stream").asBoolean()).isFalse();
    List<String> fields = new ArrayList<>();
    request.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("model", "messages", "system", "tools", "metadata", "max_tokens", "thinking",
        "context_management", "output_config", "stream");
  }

  private static ArrayNode messages(Session session) throws IOException {
    return (ArrayNode) JSON.readTree(session.request(true)).get("messages");
  }

  private static int markerCount(ArrayNode messages) {
    int markers = 0;
    for (JsonNode message : messages) {
      if (message.has("cache_control")) {
        markers++;
      }
      for (JsonNode block : message.path("content")) {
        if (block.has("cache_control")) {
          markers++;
        }
      }
    }
    return markers;
  }

  /** What a provider's cache sees: no markers, a one-text-block list is the same as a string. */
  private static List<JsonNode> normalized(ArrayNode messages) {
    List<JsonNode> result = new ArrayList<>();
    for (JsonNode message : messages) {
      ObjectNode copy = message.deepCopy();
      JsonNode content = copy.get("content");
      if (content.isArray()) {
        for (JsonNode block : content) {
          ((ObjectNode) block).remove("cache_control");
        }
        if (content.size() == 1 && "text".equals(content.get(0).get("type").asText())) {
          copy.set("content", content.get(0).get("text"));
        }
      }
      result.add(copy);
    }
    return result;
  }
}
