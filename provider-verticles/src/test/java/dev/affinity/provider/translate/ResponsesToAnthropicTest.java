package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_MESSAGE;
import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_SSE;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Responses client, Anthropic upstream, bridged over Chat Completions as LiteLLM bridges it: a Responses request in,
 * Messages upstream, a response object and the Responses API's typed events back.
 */
class ResponsesToAnthropicTest {

  static final String REQUEST = """
      {"model":"sonnet","instructions":"Be brief.","max_output_tokens":64,"stream":true,
       "tools":[{"type":"function","name":"weather","description":"Weather","parameters":{"type":"object"}}],
       "input":[{"role":"user","content":"Weather in Paris?"},
                {"type":"function_call","id":"fc_1","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}","status":"completed"},
                {"type":"function_call_output","call_id":"call_1","output":"sunny"},
                {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Sunny.","annotations":[]}]},
                {"role":"user","content":[{"type":"input_text","text":"Thanks!"}]}]}""";

  private final Translator pair = Translators.of(ClientApi.RESPONSES, ProviderKind.ANTHROPIC, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: anthropic/claude-sonnet-4-5
      api_key: sk-test""");

  /** The call the router makes: the canonical (Messages) body, the Chat stream's usage asked for. */
  private ProviderCall call() {
    return PairFixture.call(Operation.RESPONSES, deployment, pair.canonical(json(REQUEST)).toString(), true);
  }

  @Test
  void theCanonicalFormIsTheMessagesRequestTheConversationMeans() {
    assertThat(pair).isInstanceOf(ResponsesToAnthropic.class);
    JsonNode messages = pair.canonical(json(REQUEST));

    assertThat(messages.at("/system/0/text").asText()).isEqualTo("Be brief.");
    assertThat(messages.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(messages.at("/tools/0/name").asText()).isEqualTo("weather");
    assertThat(messages.at("/tools/0/input_schema/type").asText()).isEqualTo("object");
    assertThat(messages.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(messages.at("/messages/1/role").asText()).isEqualTo("assistant");
    assertThat(messages.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
    assertThat(messages.at("/messages/1/content/0/id").asText()).isEqualTo("call_1");
    assertThat(messages.at("/messages/1/content/0/input/city").asText()).isEqualTo("Paris");
    assertThat(messages.at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
    assertThat(messages.at("/messages/2/content/0/tool_use_id").asText()).isEqualTo("call_1");
    assertThat(messages.at("/messages/3/content/0/text").asText()).isEqualTo("Sunny.");
    assertThat(messages.at("/messages/4/content/0/text").asText()).isEqualTo("Thanks!");
    ProviderCall call = call();
    assertThat(pair.requestBody(call)).isSameAs(call.body());
  }

  @Test
  void whatHasNoChatFormIsRefusedNamingTheField() {
    Map<String, String> refused = Map.of(
        "{\"model\":\"s\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}", "previous_response_id",
        "{\"model\":\"s\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type",
        "{\"model\":\"s\",\"input\":[{\"type\":\"computer_call\"}]}", "input[0].type",
        "{\"model\":\"s\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "input[0].role",
        "{\"model\":\"s\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}",
        "input[0].content[0].type",
        "{\"model\":\"s\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
        "input[0].call_id");
    for (Map.Entry<String, String> body : refused.entrySet()) {
      TranslationException refusal = catchThrowableOfType(TranslationException.class,
          () -> pair.canonical(json(body.getKey())));
      assertThat(refusal).as(body.getKey()).isNotNull();
      assertThat(refusal.param()).as(body.getKey()).isEqualTo(body.getValue());
    }
  }

  /**
   * LiteLLM's {@code drop_params}: the built-in tools Codex sends beside its functions ({@code web_search}, a
   * {@code namespace} of functions) are dropped instead of refused, with a {@code tool_choice} that names one.
   */
  @Test
  void withDropParamsBuiltInToolsAreDroppedAndFunctionsKept() {
    String codex = """
        {"model":"s","input":"hi","tool_choice":{"type":"web_search"},
         "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}},
                  {"type":"web_search","external_web_access":false},
                  {"type":"namespace","name":"multi_agent_v1","tools":[{"type":"function","name":"spawn_agent"}]},
                  {"type":"function","name":"view_image","parameters":{"type":"object"}}]}""";
    assertThat(catchThrowableOfType(TranslationException.class, () -> pair.canonical(json(codex))).param())
        .as("refused without drop_params").isEqualTo("tools[1].type");

    JsonNode dropped = pair.droppingUnserved(json(codex));
    assertThat(dropped.path("tools").findValuesAsText("name")).containsExactly("exec_command", "view_image");
    assertThat(dropped.has("tool_choice")).isFalse();
    JsonNode messages = pair.canonical(dropped);
    assertThat(messages.path("tools").findValuesAsText("name")).containsExactly("exec_command", "view_image");

    JsonNode functionsOnly = json(REQUEST);
    assertThat(pair.droppingUnserved(functionsOnly)).as("nothing to drop: the same tree").isSameAs(functionsOnly);
    for (String hostile : List.of("[]", "42", "{\"tools\":{}}", "{\"tools\":[7,null]}")) {
      assertThat(pair.droppingUnserved(json(hostile))).as(hostile).isNotNull();
    }
  }

  @Test
  void hostileBodiesAreRefusedAsTheClientsMistakeNeverThrownOtherwise() {
    List<String> values = List.of("42", "null", "\"x\"", "[]", "{}", "[1,null,{}]", "[{\"type\":7}]",
        "[{\"role\":\"user\",\"content\":{}}]", "{\"a\":[[]]}", "true");
    List<String> fields = List.of("input", "instructions", "tools", "tool_choice", "text", "reasoning",
        "max_output_tokens", "model");
    Random random = new Random(11);
    for (int i = 0; i < 400; i++) {
      String body = "{\"model\":\"s\",\"input\":\"hi\",\"" + fields.get(random.nextInt(fields.size())) + "\":"
          + values.get(random.nextInt(values.size())) + "}";
      try {
        pair.canonical(json(body));
      } catch (TranslationException clientsMistake) {
        assertThat(clientsMistake.getMessage()).as(body).isNotBlank();
      }
    }
  }

  @Test
  void aCompleteAnswerBecomesAResponseObjectWithTheUsageRead() {
    Answer answer = pair.answer(call(), 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    JsonNode response = json(answer.body());

    assertThat(response.path("id").asText()).startsWith("resp_");
    assertThat(response.path("object").asText()).isEqualTo("response");
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("model").asText()).isEqualTo("sonnet");
    assertThat(response.at("/output/0/type").asText()).isEqualTo("message");
    assertThat(response.at("/output/0/role").asText()).isEqualTo("assistant");
    assertThat(response.at("/output/0/content/0/type").asText()).isEqualTo("output_text");
    assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
    assertThat(response.at("/usage/input_tokens").asLong()).isEqualTo(12 + 100 + 4096);
    assertThat(response.at("/usage/input_tokens_details/cached_tokens").asLong()).isEqualTo(4096);
    assertThat(response.at("/usage/output_tokens").asLong()).isEqualTo(7);
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  @Test
  void aToolUseAndATokenCapBecomeFunctionCallsAndAnIncompleteResponse() {
    String toolUse = """
        {"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5",\
        "content":[{"type":"text","text":"Checking"},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}],\
        "stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":64}}""";
    JsonNode response = json(pair.answer(call(), 200, headers(), Buffer.buffer(toolUse)).body());

    assertThat(response.path("status").asText()).isEqualTo("incomplete");
    assertThat(response.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
    assertThat(response.at("/output/1/type").asText()).isEqualTo("function_call");
    assertThat(response.at("/output/1/call_id").asText()).isEqualTo("toolu_1");
    assertThat(response.at("/output/1/name").asText()).isEqualTo("weather");
    assertThat(json(response.at("/output/1/arguments").asText()).path("city").asText()).isEqualTo("Paris");
  }

  @Test
  void theStreamBecomesTheResponsesEventsWhateverTheCuts() {
    String atOnce = whole(pair.stream(call()), utf8(ANTHROPIC_SSE), Integer.MAX_VALUE).replaceAll(
        "\"created_at\":\\d+", "\"created_at\":0");
    for (int size : new int[] {1, 3, 17, 64}) {
      StreamTranslation stream = pair.stream(call());
      assertThat(whole(stream, utf8(ANTHROPIC_SSE), size).replaceAll("\"created_at\":\\d+", "\"created_at\":0"))
          .as("cut every %d bytes", size).isEqualTo(atOnce);
      assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
      assertThat(stream.errorType()).isNull();
    }
    List<JsonNode> events = data(atOnce);
    List<String> types = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("sequence_number").asInt()).isEqualTo(i);
      types.add(events.get(i).path("type").asText());
    }
    assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(atOnce).contains("event: response.completed\ndata: ");
    JsonNode completed = events.get(events.size() - 1).path("response");
    assertThat(completed.path("id").asText()).isEqualTo(events.get(0).at("/response/id").asText());
    assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
    assertThat(completed.at("/usage/input_tokens").asLong()).isEqualTo(12 + 4096);
    assertThat(completed.at("/usage/input_tokens_details/cached_tokens").asLong()).isEqualTo(4096);
    assertThat(completed.at("/usage/output_tokens").asLong()).isEqualTo(7);
  }

  /**
   * Claude's signed thinking reaches a Responses client as a reasoning item, whole or streamed, and the client's next
   * request that hands it back (as Codex does, {@code store: false}) gives Claude its block back before the tool
   * results: the tool loop keeps thinking instead of going without it.
   */
  @Test
  void thinkingIsAReasoningItemThatGoesBackToClaudeAsItsSignedBlock() {
    String thinkingCall = """
        {"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5",\
        "content":[{"type":"thinking","thinking":"Look it up.","signature":"c2lnbmVk"},\
        {"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Oslo"}}],\
        "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":30}}""";
    JsonNode response = json(pair.answer(call(), 200, headers(), Buffer.buffer(thinkingCall)).body());
    JsonNode reasoning = response.at("/output/0");
    assertThat(reasoning.path("type").asText()).isEqualTo("reasoning");
    assertThat(reasoning.at("/summary/0/text").asText()).isEqualTo("Look it up.");
    assertThat(reasoning.path("encrypted_content").asText()).isNotBlank().doesNotContain("Look it up.");
    assertThat(response.at("/output/1/type").asText()).isEqualTo("function_call");

    String next = """
        {"model":"sonnet","reasoning":{"effort":"medium"},
         "tools":[{"type":"function","name":"weather","parameters":{"type":"object"}}],
         "input":[{"role":"user","content":"Weather in Oslo?"},%s,%s,
                  {"type":"function_call_output","call_id":"toolu_2","output":"snow"}]}""".formatted(
        reasoning, response.at("/output/1"));
    JsonNode messages = pair.canonical(json(next));
    assertThat(messages.at("/thinking/budget_tokens").asInt()).as("still thinking").isEqualTo(2048);
    assertThat(messages.at("/messages/1/content/0")).isEqualTo(json(
        "{\"type\":\"thinking\",\"thinking\":\"Look it up.\",\"signature\":\"c2lnbmVk\"}"));
    assertThat(messages.at("/messages/1/content/1/type").asText()).isEqualTo("tool_use");

    JsonNode withoutIt = pair.canonical(json(next.replace(reasoning.toString() + ",", "")));
    assertThat(withoutIt.has("thinking")).as("no thinking to hand back: the request goes without").isFalse();
    JsonNode foreign = pair.canonical(json(next.replace(reasoning.path("encrypted_content").asText(),
        "gAAAAABoOpenAiEncrypted")));
    assertThat(foreign.at("/messages/1/content/0/type").asText()).as("OpenAI's reasoning is dropped")
        .isEqualTo("tool_use");

    String thinkingStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_4","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Look "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"it up."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnbmVk"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Snow."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}

        event: message_stop
        data: {"type":"message_stop"}

        """;
    List<JsonNode> events = data(whole(pair.stream(call()), utf8(thinkingStream), 5));
    List<String> items = events.stream().filter(e -> e.path("type").asText().equals("response.output_item.done"))
        .map(e -> e.at("/item/type").asText()).toList();
    assertThat(items).containsExactly("reasoning", "message");
    JsonNode completed = events.get(events.size() - 1).path("response");
    assertThat(completed.at("/output/0/encrypted_content").asText()).isEqualTo(
        reasoning.path("encrypted_content").asText());

    // the summary streams as Claude thinks, as OpenAI's reasoning summaries do; the signed block comes at its end
    List<JsonNode> reasoningEvents = events.subList(2, 9);
    assertThat(reasoningEvents).extracting(e -> e.path("type").asText()).containsExactly(
        "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done");
    JsonNode added = reasoningEvents.get(0).path("item");
    assertThat(added.path("type").asText()).isEqualTo("reasoning");
    assertThat(added.path("summary")).isEmpty();
    assertThat(added.has("encrypted_content")).isFalse();
    String itemId = added.path("id").asText();
    assertThat(reasoningEvents.subList(1, 6)).allSatisfy(event -> {
      assertThat(event.path("item_id").asText()).isEqualTo(itemId);
      assertThat(event.path("output_index").asInt(-1)).isZero();
      assertThat(event.path("summary_index").asInt(-1)).isZero();
    });
    assertThat(reasoningEvents.subList(2, 4)).extracting(e -> e.path("delta").asText())
        .containsExactly("Look ", "it up.");
    assertThat(reasoningEvents.get(4).path("text").asText()).isEqualTo("Look it up.");
    assertThat(reasoningEvents.get(5).at("/part/text").asText()).isEqualTo("Look it up.");
    JsonNode done = reasoningEvents.get(6).path("item");
    assertThat(done.path("id").asText()).isEqualTo(itemId);
    assertThat(done.at("/summary/0/text").asText()).isEqualTo("Look it up.");
    assertThat(done.path("encrypted_content").asText()).isEqualTo(reasoning.path("encrypted_content").asText());
    assertThat(events).extracting(e -> e.path("sequence_number").asInt()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aStreamCutBeforeTheModelStoppedEndsWithAnErrorEvent() {
    String cut = ANTHROPIC_SSE.substring(0, ANTHROPIC_SSE.indexOf("event: message_delta"));
    List<JsonNode> events = data(whole(pair.stream(call()), utf8(cut), 7));
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.path("type").asText()).isEqualTo("error");
    assertThat(last.path("message").asText()).isNotBlank();
    assertThat(events).noneMatch(event -> event.path("type").asText().equals("response.completed"));
  }

  @Test
  void upstreamErrorsComeInOpenAisShape() {
    Buffer error = Buffer.buffer("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}");
    Answer answer = pair.answer(call(), 429, headers(), error);
    JsonNode body = json(answer.body());
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(body.at("/error/message").asText()).isEqualTo("slow");
    assertThat(body.at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
  }
}
