package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The Responses form of a request, chained as OpenAI's cache reads it: a conversation's next turn finds the end of the
 * previous one however the client re-sends its turns, and no input breaks the chain.
 */
class ResponsesConversationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCOPE = "team\u0000gpt-4o";
  private static final String INSTRUCTIONS = "Be thorough. ".repeat(400);
  private static final int MINIMUM = 1024;

  private static AutomaticPrefixChain chain(String body) throws Exception {
    return AutomaticPrefixChain.ofChatCompletions(ResponsesConversation.of(JSON.readTree(body)), SCOPE);
  }

  private static String turn(String input) {
    return "{\"model\":\"gpt-4o\",\"instructions\":\"" + INSTRUCTIONS + "\",\"tools\":[{\"type\":\"function\","
        + "\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}],\"input\":" + input + "}";
  }

  @Test
  void theNextTurnFindsThePreviousEndHoweverTheAnswerIsEchoed() throws Exception {
    AutomaticPrefixChain first = chain(turn("\"What is caching?\""));
    String end = first.key(first.size() - 1);
    assertThat(first.pinPlan(MINIMUM).pins()).extracting(PinPlan.Pin::key).contains(end);

    String user = "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"What is caching?\"}]}";
    List<String> echoes = List.of(
        // the output item as it came, with the server's id, status and annotations
        "{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":"
            + "[{\"type\":\"output_text\",\"text\":\"Reuse.\",\"annotations\":[]}]}",
        // as an easy message
        "{\"role\":\"assistant\",\"content\":\"Reuse.\"}");
    List<String> keys = new ArrayList<>();
    for (String echo : echoes) {
      AutomaticPrefixChain next = chain(turn("[" + user + "," + echo + ",{\"role\":\"user\",\"content\":\"More?\"}]"));
      assertThat(next.lookupPlan(MINIMUM).keys()).as(echo).contains(end);
      keys.add(next.key(next.size() - 1));
    }
    assertThat(keys.get(0)).isEqualTo(keys.get(1));
  }

  @Test
  void aFunctionCallIsOneBlockWithoutTheServersIdAndStatus() throws Exception {
    String call = "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"";
    AutomaticPrefixChain asSent = chain(turn("[" + call + "},{\"type\":\"function_call_output\",\"call_id\":"
        + "\"call_1\",\"output\":\"ok\"}]"));
    AutomaticPrefixChain asEchoed = chain(turn("[" + call + ",\"id\":\"fc_1\",\"status\":\"completed\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"ok\"}]"));
    AutomaticPrefixChain otherCall = chain(turn("[" + call.replace("call_1", "call_2") + "},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"ok\"}]"));

    assertThat(asEchoed.key(asEchoed.size() - 1)).isEqualTo(asSent.key(asSent.size() - 1));
    assertThat(otherCall.key(otherCall.size() - 1)).isNotEqualTo(asSent.key(asSent.size() - 1));
  }

  @Test
  void theInstructionsAndToolsArePartOfThePrefixAndTheCacheKeyScopesIt() throws Exception {
    AutomaticPrefixChain base = chain(turn("\"hi\""));
    AutomaticPrefixChain otherInstructions = chain(turn("\"hi\"").replace("Be thorough.", "Be brief."));
    AutomaticPrefixChain keyed = AutomaticPrefixChain.ofChatCompletions(ResponsesConversation.of(JSON.readTree(
        turn("\"hi\"").replace("{\"model\"", "{\"prompt_cache_key\":\"k\",\"model\""))), SCOPE);

    assertThat(otherInstructions.key(otherInstructions.size() - 1)).isNotEqualTo(base.key(base.size() - 1));
    assertThat(keyed.hasPromptCacheKey()).isTrue();
    assertThat(base.hasPromptCacheKey()).isFalse();
    assertThat(base.totalTokens()).isGreaterThan(MINIMUM);
  }

  @Test
  void hostileShapesAreChainedNotThrown() {
    for (String input : List.of("42", "null", "{}", "[1,\"a\",null,[],{}]", "[{\"role\":{}}]",
        "[{\"type\":7,\"content\":{\"a\":1}}]", "[{\"role\":\"user\",\"content\":[1,null,{\"type\":\"input_text\"}]}]",
        "[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":5}]}]")) {
      assertThatCode(() -> {
        JsonNode body = JSON.readTree("{\"model\":\"m\",\"instructions\":[1],\"tools\":7,\"text\":{\"format\":3},"
            + "\"input\":" + input + "}");
        AutomaticPrefixChain chain = AutomaticPrefixChain.ofChatCompletions(ResponsesConversation.of(body), SCOPE);
        chain.lookupPlan(1);
        chain.pinPlan(1);
      }).as(input).doesNotThrowAnyException();
    }
  }
}
