package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatToMessagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static ObjectNode translate(String openAi) {
    return ChatToMessages.request(json(openAi));
  }

  @Test
  void systemAndDeveloperMessagesBecomeTopLevelSystemBlocksInOrderWithTheirMarkers() {
    ObjectNode out = translate("""
        {"model":"claude-sonnet","messages":[
          {"role":"system","content":[
            {"type":"text","text":"You are a coding agent."},
            {"type":"text","text":"<tool manual>","cache_control":{"type":"ephemeral","ttl":"1h"}}]},
          {"role":"user","content":"hi"},
          {"role":"developer","content":"Answer tersely.","cache_control":{"type":"ephemeral"}}
        ]}""");

    assertThat(out.get("system")).isEqualTo(json("""
        [{"type":"text","text":"You are a coding agent."},
         {"type":"text","text":"<tool manual>","cache_control":{"type":"ephemeral","ttl":"1h"}},
         {"type":"text","text":"Answer tersely.","cache_control":{"type":"ephemeral"}}]"""));
    assertThat(out.get("messages")).isEqualTo(json("""
        [{"role":"user","content":[{"type":"text","text":"hi"}]}]"""));
    assertThat(out.get("model").asText()).isEqualTo("claude-sonnet");
  }

  @Test
  void maxTokensDefaultsAndMaxCompletionTokensWins() {
    assertThat(translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}]}""").get("max_tokens").intValue())
        .isEqualTo(ChatToMessages.DEFAULT_MAX_TOKENS).isEqualTo(4096);
    assertThat(translate("""
        {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"x"}]}""").get("max_tokens").intValue())
        .isEqualTo(100);
    assertThat(translate("""
        {"model":"m","max_tokens":100,"max_completion_tokens":300,"messages":[{"role":"user","content":"x"}]}""")
        .get("max_tokens").intValue()).isEqualTo(300);
    assertThatThrownBy(() -> translate("""
        {"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}"""))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"));
  }

  @Test
  void samplingStopUserAndStreamMapWhileOpenAiOnlyFieldsAreDropped() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "temperature":0.2,"top_p":0.9,"stop":["END","\\n","###"],"user":"user-42",
         "stream":true,"stream_options":{"include_usage":true},
         "prompt_cache_key":"agent-7","prompt_cache_retention":"24h","store":true,"seed":7,
         "frequency_penalty":0.5,"metadata":{"k":"v"},"n":1,"parallel_tool_calls":true}""");

    assertThat(out).isEqualTo(json("""
        {"model":"m","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "stop_sequences":["END","###"],"temperature":0.2,"top_p":0.9,
         "metadata":{"user_id":"user-42"},"stream":true}"""));
    assertThat(translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"stop":"STOP"}""").get("stop_sequences"))
        .isEqualTo(json("[\"STOP\"]"));
  }

  @Test
  void imagesFromDataUrlsAndHttpUrls() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":[
          {"type":"text","text":"What differs?"},
          {"type":"image_url","image_url":{"url":"data:image/PNG;base64,iVBORw0KGgo=","detail":"high"}},
          {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"},"cache_control":{"type":"ephemeral"}}
        ]}]}""");

    assertThat(out.at("/messages/0/content")).isEqualTo(json("""
        [{"type":"text","text":"What differs?"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
         {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"},
          "cache_control":{"type":"ephemeral"}}]"""));
  }

  @Test
  void inlinePdfBecomesADocument() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":[
          {"type":"file","file":{"filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}""");
    assertThat(out.at("/messages/0/content/0")).isEqualTo(json("""
        {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},
         "title":"spec.pdf"}"""));
  }

  @Test
  void multiTurnToolConversation() {
    ObjectNode out = translate("""
        {"model":"m","messages":[
          {"role":"system","content":"Use tools."},
          {"role":"user","content":"Weather in Paris and Rome?"},
          {"role":"assistant","content":"Checking both.","tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\"}"}},
            {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"18C, cloudy"},
          {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"24C, sunny"}],
           "cache_control":{"type":"ephemeral"}},
          {"role":"user","content":"Which is warmer?"},
          {"role":"assistant","content":null,"tool_calls":[
            {"id":"call_3","type":"function","function":{"name":"now","arguments":""}}]},
          {"role":"tool","tool_call_id":"call_3","content":"12:00"}
        ],
        "tools":[
          {"type":"function","function":{"name":"get_weather","description":"Current weather",
            "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}},
          {"type":"function","function":{"name":"now"},"cache_control":{"type":"ephemeral"}}],
        "tool_choice":"required","parallel_tool_calls":false}""");

    assertThat(out.get("system")).isEqualTo(json("[{\"type\":\"text\",\"text\":\"Use tools.\"}]"));
    assertThat(out.get("messages")).isEqualTo(json("""
        [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
         {"role":"assistant","content":[
           {"type":"text","text":"Checking both."},
           {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
           {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome"}}]},
         {"role":"user","content":[
           {"type":"tool_result","tool_use_id":"call_1","content":"18C, cloudy"},
           {"type":"tool_result","tool_use_id":"call_2","content":[{"type":"text","text":"24C, sunny"}],
            "cache_control":{"type":"ephemeral"}},
           {"type":"text","text":"Which is warmer?"}]},
         {"role":"assistant","content":[{"type":"tool_use","id":"call_3","name":"now","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_3","content":"12:00"}]}]"""));
    assertThat(out.get("tools")).isEqualTo(json("""
        [{"name":"get_weather","description":"Current weather",
          "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
         {"name":"now","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}]"""));
    assertThat(out.get("tool_choice")).isEqualTo(json("{\"type\":\"any\",\"disable_parallel_tool_use\":true}"));
  }

  @Test
  void consecutiveUserMessagesAreMergedAndAMessageMarkerLandsOnItsLastBlock() {
    ObjectNode out = translate("""
        {"model":"m","messages":[
          {"role":"user","content":"first"},
          {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],
           "cache_control":{"type":"ephemeral"}},
          {"role":"assistant","content":""},
          {"role":"user","content":"after an empty assistant turn"}]}""");

    assertThat(out.get("messages")).isEqualTo(json("""
        [{"role":"user","content":[
          {"type":"text","text":"first"},{"type":"text","text":"a"},
          {"type":"text","text":"b","cache_control":{"type":"ephemeral"}},
          {"type":"text","text":"after an empty assistant turn"}]}]"""));
  }

  @Test
  void aTrailingAssistantPrefillLosesItsTrailingWhitespace() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":"JSON please"},{"role":"assistant","content":"{\\n  "}]}""");
    assertThat(out.at("/messages/1/content/0/text").asText()).isEqualTo("{");
  }

  @Test
  void toolChoiceForms() {
    String base = """
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":%s}""";
    assertThat(translate(base.formatted("\"auto\"")).get("tool_choice")).isEqualTo(json("{\"type\":\"auto\"}"));
    assertThat(translate(base.formatted("\"none\"")).get("tool_choice")).isEqualTo(json("{\"type\":\"none\"}"));
    assertThat(translate(base.formatted("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}")).get("tool_choice"))
        .isEqualTo(json("{\"type\":\"tool\",\"name\":\"f\"}"));
    assertThat(translate(base.replace(",\"tool_choice\":%s", ",\"parallel_tool_calls\":false")).get("tool_choice"))
        .isEqualTo(json("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"));
    assertThat(translate(base.replace(",\"tool_choice\":%s", "")).has("tool_choice")).isFalse();
  }

  @Test
  void assistantThinkingBlocksGoBackFirst() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":"q"},
          {"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"hmm","signature":"sig"}]},
          {"role":"user","content":"q2"}],"thinking":{"type":"enabled","budget_tokens":2048}}""");
    assertThat(out.at("/messages/1/content")).isEqualTo(json("""
        [{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"a"}]"""));
    assertThat(out.get("thinking")).isEqualTo(json("{\"type\":\"enabled\",\"budget_tokens\":2048}"));
  }

  @Test
  void theInputIsNotChanged() {
    JsonNode in = json("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral"}}]}],
         "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");
    JsonNode before = in.deepCopy();
    ObjectNode out = ChatToMessages.request(in);
    ((ObjectNode) out.at("/messages/0/content/0/cache_control")).put("ttl", "1h");
    ((ObjectNode) out.at("/tools/0/input_schema")).put("changed", true);
    assertThat(in).isEqualTo(before);
  }

  @Test
  void untranslatableRequestsAreRefusedWithTheOffendingParam() {
    assertRefused("{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "n");
    assertRefused("{\"model\":\"m\",\"logprobs\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "logprobs");
    assertRefused("""
        {"model":"m","response_format":{"type":"grammar"},"messages":[{"role":"user","content":"x"}]}""",
        "response_format");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA=="}}]}]}""",
        "messages.[0].content.[0].type");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[
          {"id":"c","type":"function","function":{"name":"f","arguments":"{\\"a\\":"}}]}]}""",
        "messages.[1].tool_calls.[0].function.arguments");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[
          {"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}""",
        "messages.[1].tool_calls.[0].function.arguments");
    assertRefused("""
        {"model":"m","messages":[{"role":"tool","content":"x"}]}""", "messages.[0].tool_call_id");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,AAAA"}}]}]}""",
        "messages.[0].content.[0].image_url.url");
    assertRefused("""
        {"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
          {"role":"user","content":"x"}]}""", "messages.[0].content.[0].type");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}""", "tool_choice");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"custom","custom":{"name":"c"}}]}""",
        "tools.[0].type");
    assertRefused("""
        {"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}""", "messages.[0].role");
    assertRefused("""
        {"model":"m","messages":[{"role":"system","content":"only a system prompt"}]}""", "messages");
  }

  @Test
  void aJsonResponseFormatBecomesAForcedToolAfterTheClientsOwn() {
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],
         "tool_choice":"auto",
         "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
           "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}""");
    assertThat(out.get("tools")).isEqualTo(json("""
        [{"name":"lookup","input_schema":{"type":"object"}},
         {"name":"json_tool_call","description":"Respond with your answer as this tool's input.",
          "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"""));
    assertThat(out.get("tool_choice")).isEqualTo(json("{\"type\":\"tool\",\"name\":\"json_tool_call\"}"));
    assertThat(ChatToMessages.answersThroughJsonTool(out)).isTrue();
    assertThat(ChatToMessages.answersThroughJsonTool(translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"lookup"}}],
         "tool_choice":{"type":"function","function":{"name":"lookup"}}}"""))).isFalse();

    ObjectNode anyObject = translate("""
        {"model":"m","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"x"}]}""");
    assertThat(anyObject.get("tools")).isEqualTo(json("""
        [{"name":"json_tool_call","description":"Respond with your answer as this tool's input.",
          "input_schema":{"type":"object","additionalProperties":true,"properties":{}}}]"""));
    assertThat(anyObject.at("/tool_choice/name").asText()).isEqualTo("json_tool_call");
  }

  @Test
  void aJsonResponseFormatThatForcingAToolWouldContradictIsRefused() {
    String ask = """
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":%s}}%s}""";
    assertRefused(ask.formatted("{\"type\":\"array\"}", ""), "response_format");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"response_format":"json"}""", "response_format");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "response_format":{"type":"json_schema","json_schema":"x"}}""", "response_format.json_schema");
    assertRefused(ask.formatted("{}", ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
        + "\"tool_choice\":\"required\""), "response_format");
    // reserved, so that the answer's side can tell JSON mode from the Messages request
    assertRefused(ask.formatted("{}", ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
        + "\"json_tool_call\"}}]"), "tools.[0].function.name");
    assertRefused("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"json_tool_call"}}]}""", "tools.[0].function.name");
    assertThat(translate(ask.formatted("{}", ",\"thinking\":{\"type\":\"disabled\"}")).get("tool_choice"))
        .isEqualTo(json("{\"type\":\"tool\",\"name\":\"json_tool_call\"}"));
  }

  @Test
  void whileThinkingTheJsonToolIsOfferedNotForced() {
    // Claude refuses a forced tool while thinking; LiteLLM offers the tool then, and so does the gateway
    ObjectNode out = translate("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low",
         "response_format":{"type":"json_object"}}""");
    assertThat(out.at("/tools/0/name").asText()).isEqualTo("json_tool_call");
    assertThat(out.has("tool_choice")).isFalse();
    assertThat(ChatToMessages.answersThroughJsonTool(out)).isTrue();
  }

  @Test
  void reasoningEffortBecomesAThinkingBudgetAsLiteLlmMapsIt() {
    String ask = """
        {"model":"m","messages":[{"role":"user","content":"x"}]%s}""";
    for (String[] effort : new String[][] {{"minimal", "1024"}, {"low", "1024"}, {"medium", "2048"},
        {"high", "4096"}, {"max", "16384"}}) {
      ObjectNode out = translate(ask.formatted(",\"reasoning_effort\":\"" + effort[0] + "\""));
      int budget = Integer.parseInt(effort[1]);
      assertThat(out.get("thinking")).as(effort[0])
          .isEqualTo(json("{\"type\":\"enabled\",\"budget_tokens\":" + budget + "}"));
      // max_tokens bounds thinking and answer together and must exceed the budget: the default answer on top
      assertThat(out.get("max_tokens").intValue()).as(effort[0]).isEqualTo(ChatToMessages.DEFAULT_MAX_TOKENS + budget);
    }
    assertThat(translate(ask.formatted(",\"reasoning_effort\":\"none\"")).has("thinking")).isFalse();
    ObjectNode bounded = translate(ask.formatted(",\"reasoning_effort\":\"high\",\"max_completion_tokens\":9000"));
    assertThat(bounded.get("max_tokens").intValue()).isEqualTo(9000);
    ObjectNode explicit = translate(ask.formatted(
        ",\"reasoning_effort\":\"high\",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1500}"));
    assertThat(explicit.at("/thinking/budget_tokens").intValue()).as("Anthropic's own field wins").isEqualTo(1500);
    assertThat(explicit.get("max_tokens").intValue()).isEqualTo(ChatToMessages.DEFAULT_MAX_TOKENS + 1500);
    assertRefused(ask.formatted(",\"reasoning_effort\":\"extreme\""), "reasoning_effort");
  }

  /**
   * Claude refuses to think on tool results whose calling turn does not start with its thinking, and most OpenAI
   * clients do not hand thinking back: such a request goes without thinking (as LiteLLM's modify_params), where it
   * was refused upstream with a 400 on the second turn of every tool loop.
   */
  @Test
  void toolResultsOfATurnWithoutItsThinkingAreAnsweredWithoutThinking() {
    String loop = """
        {"model":"m","reasoning_effort":"medium","tools":[{"type":"function","function":{"name":"f",
          "parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"q"},
          {"role":"assistant","content":null,%s"tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"f","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"42"}%s]}""";
    ObjectNode bare = translate(loop.formatted("", ""));
    assertThat(bare.has("thinking")).as("the calling turn has no thinking to start with").isFalse();
    assertThat(bare.get("max_tokens").intValue()).as("no budget on top").isEqualTo(ChatToMessages.DEFAULT_MAX_TOKENS);

    ObjectNode handedBack = translate(loop.formatted(
        "\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"sig\"}],", ""));
    assertThat(handedBack.at("/thinking/budget_tokens").intValue()).as("the thinking was handed back").isEqualTo(2048);

    ObjectNode nextQuestion = translate(loop.formatted("", ",{\"role\":\"assistant\",\"content\":\"It is 42.\"},"
        + "{\"role\":\"user\",\"content\":\"and?\"}"));
    assertThat(nextQuestion.at("/thinking/budget_tokens").intValue()).as("a new question after the loop's answer")
        .isEqualTo(2048);
  }

  @Test
  void theErrorBodyIsOpenAiShaped() {
    TranslationException refused = new TranslationException("Claude models return one choice: 'n' must be 1.", "n");
    assertThat(refused.toOpenAiError()).isEqualTo(json("""
        {"error":{"message":"Claude models return one choice: 'n' must be 1.","type":"invalid_request_error",
          "param":"n","code":null}}"""));
  }

  private static void assertRefused(String openAi, String param) {
    assertThatThrownBy(() -> translate(openAi))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.param()).isEqualTo(param));
  }
}
