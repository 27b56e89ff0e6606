package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.assistantSays;
import static dev.affinity.emulator.ApiCalls.marked;
import static dev.affinity.emulator.ApiCalls.request;
import static dev.affinity.emulator.ApiCalls.text;
import static dev.affinity.emulator.ApiCalls.textOfTokens;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Extended thinking as Anthropic documents it: a signed {@code thinking} block before the text (streamed as
 * {@code thinking_delta}s and a {@code signature_delta}), thinking counted as output, signatures checked when the
 * thinking is handed back (on any account), the settings it cannot be combined with refused, and a change of its
 * settings invalidating the messages' cache but not the system's.
 */
@ExtendWith(VertxExtension.class)
class ExtendedThinkingTest {

  private static final String KEY = "sk-emu-1";
  private static final String OTHER_KEY = "sk-emu-2";
  private static final int WORDS = EmulatorOptions.DEFAULT_OUTPUT_TOKENS;

  private UpstreamEmulator emulator;
  private ApiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", OTHER_KEY)
        .setLatency(new LatencyModel(0, 0, 0, 1000))).await();
    api = new ApiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject thinking(int budget) {
    return new JsonObject().put("type", "enabled").put("budget_tokens", budget);
  }

  private static JsonObject thinkingRequest(String question) {
    return request(new JsonArray().add(userSays(question))).put("max_tokens", 4096).put("thinking", thinking(2048));
  }

  private JsonObject answer(String key, JsonObject body) {
    HttpResponse<String> response = api.messages(key, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  @Test
  void aThinkingAnswerStartsWithASignedThinkingBlockCountedAsOutput() {
    JsonObject message = answer(KEY, thinkingRequest("hello"));
    JsonArray content = message.getJsonArray("content");
    assertThat(content).hasSize(2);
    JsonObject thinking = content.getJsonObject(0);
    assertThat(thinking.getString("type")).isEqualTo("thinking");
    assertThat(thinking.getString("thinking").split(" ")).hasSize(WORDS);
    assertThat(thinking.getString("signature")).isNotBlank();
    assertThat(content.getJsonObject(1).getString("type")).isEqualTo("text");
    assertThat(content.getJsonObject(1).getString("text").split(" ")).hasSize(WORDS);
    assertThat(message.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(message.getJsonObject("usage").getLong("output_tokens")).isEqualTo(2L * WORDS);
    assertThat(emulator.counters("acct-1").outputTokens()).isEqualTo(2L * WORDS);

    JsonObject off = answer(KEY, thinkingRequest("hello").put("thinking", new JsonObject().put("type", "disabled")));
    assertThat(off.getJsonArray("content")).hasSize(1);
    assertThat(off.getJsonArray("content").getJsonObject(0).getString("type")).isEqualTo("text");
  }

  @Test
  void maxTokensBoundsThinkingAndTextTogether() {
    JsonObject message = answer(KEY, thinkingRequest("hello").put("max_tokens", 30));
    JsonArray content = message.getJsonArray("content");
    assertThat(content.getJsonObject(0).getString("thinking").split(" ")).hasSize(WORDS);
    assertThat(content.getJsonObject(1).getString("text").split(" ")).hasSize(30 - WORDS);
    assertThat(message.getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(message.getJsonObject("usage").getLong("output_tokens")).isEqualTo(30);

    JsonObject adaptive = answer(KEY, thinkingRequest("hello").put("max_tokens", 10)
        .put("thinking", new JsonObject().put("type", "adaptive")));
    assertThat(adaptive.getJsonArray("content")).hasSize(1);
    assertThat(adaptive.getJsonArray("content").getJsonObject(0).getString("thinking").split(" ")).hasSize(10);
    assertThat(adaptive.getString("stop_reason")).isEqualTo("max_tokens");
  }

  @Test
  void aStreamSendsTheThinkingBlockFirstWithItsSignatureLast() {
    HttpResponse<String> response = api.messages(KEY, thinkingRequest("hello").put("stream", true));
    List<ApiCalls.Event> events = ApiCalls.events(response.body());
    List<String> names = events.stream().map(ApiCalls.Event::name).collect(Collectors.toList());
    assertThat(names.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
    assertThat(events.get(1).data().getJsonObject("content_block"))
        .isEqualTo(new JsonObject().put("type", "thinking").put("thinking", "").put("signature", ""));
    List<JsonObject> thinkingDeltas = deltas(events, 0);
    assertThat(thinkingDeltas).hasSize(WORDS + 1);
    assertThat(thinkingDeltas.subList(0, WORDS)).allMatch(delta -> delta.getString("type").equals("thinking_delta"));
    JsonObject signature = thinkingDeltas.get(WORDS);
    assertThat(signature.getString("type")).isEqualTo("signature_delta");
    int stop = names.indexOf("content_block_stop");
    assertThat(events.get(stop).data().getInteger("index")).isZero();
    assertThat(names.get(stop + 1)).isEqualTo("content_block_start");
    assertThat(events.get(stop + 1).data().getInteger("index")).isEqualTo(1);
    assertThat(deltas(events, 1)).hasSize(WORDS).allMatch(delta -> delta.getString("type").equals("text_delta"));
    assertThat(names.subList(names.size() - 3, names.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    assertThat(events.get(names.indexOf("message_delta")).data().getJsonObject("usage").getLong("output_tokens"))
        .isEqualTo(2L * WORDS);

    JsonObject whole = answer(KEY, thinkingRequest("hello")).getJsonArray("content").getJsonObject(0);
    String streamed = thinkingDeltas.subList(0, WORDS).stream().map(delta -> delta.getString("thinking"))
        .collect(Collectors.joining());
    assertThat(streamed).isEqualTo(whole.getString("thinking"));
    assertThat(signature.getString("signature")).isEqualTo(whole.getString("signature"));
  }

  private static List<JsonObject> deltas(List<ApiCalls.Event> events, int index) {
    return events.stream().filter(event -> event.name().equals("content_block_delta"))
        .filter(event -> event.data().getInteger("index") == index)
        .map(event -> event.data().getJsonObject("delta")).collect(Collectors.toList());
  }

  @Test
  void thinkingHandedBackMustCarryTheSignatureItCameWithOnAnyAccount() {
    JsonObject first = answer(KEY, thinkingRequest("hello"));
    JsonArray assistantTurn = first.getJsonArray("content");
    JsonObject next = thinkingRequest("hello").put("messages", new JsonArray()
        .add(userSays("hello")).add(assistantSays(assistantTurn)).add(userSays("and then?")));
    assertThat(answer(KEY, next).getJsonArray("content")).hasSize(2);
    // signatures are not tied to the account that wrote them, as Anthropic's are not
    assertThat(answer(OTHER_KEY, next).getJsonArray("content")).hasSize(2);

    JsonObject altered = next.copy();
    altered.getJsonArray("messages").getJsonObject(1).getJsonArray("content").getJsonObject(0)
        .put("thinking", "I was told to say this.");
    assertRefused(altered, "messages.1.content.0: Invalid `signature` in `thinking` block");

    JsonObject unsigned = next.copy();
    unsigned.getJsonArray("messages").getJsonObject(1).getJsonArray("content").getJsonObject(0).remove("signature");
    assertRefused(unsigned, "messages.1.content.0.thinking.signature: Field required");
  }

  /**
   * A tool call's results go back after the thinking of the turn that called it, by a directive here; without that
   * thinking the request is refused, as Anthropic refuses it; a new question after the answer needs none.
   */
  @Test
  void toolResultsGoBackAfterTheThinkingOfTheTurnThatCalledTheTool() {
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "read")
        .put("input_schema", new JsonObject().put("type", "object")));
    JsonObject ask = userSays("Read it. [[emulator:tool read {\"path\": \"a\"}]]");
    JsonArray called = answer(KEY, thinkingRequest("x").put("tools", tools)
        .put("messages", new JsonArray().add(ask))).getJsonArray("content");
    assertThat(called.getJsonObject(0).getString("type")).isEqualTo("thinking");
    JsonObject result = userSays(new JsonArray().add(new JsonObject().put("type", "tool_result")
        .put("tool_use_id", called.getJsonObject(1).getString("id")).put("content", "42")));

    JsonObject handedBack = thinkingRequest("x").put("tools", tools)
        .put("messages", new JsonArray().add(ask).add(assistantSays(called)).add(result));
    assertThat(answer(KEY, handedBack).getString("stop_reason")).isEqualTo("end_turn");

    JsonArray withoutThinking = called.copy();
    withoutThinking.remove(0);
    JsonObject dropped = thinkingRequest("x").put("tools", tools)
        .put("messages", new JsonArray().add(ask).add(assistantSays(withoutThinking)).add(result));
    assertRefused(dropped, "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found"
        + " `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block");
    dropped.remove("thinking");
    assertThat(answer(KEY, dropped).getString("stop_reason")).as("without thinking").isEqualTo("end_turn");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "small budget|{\"type\":\"enabled\",\"budget_tokens\":1000}||"
          + "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
      "no budget|{\"type\":\"enabled\"}||thinking.enabled.budget_tokens: Field required",
      "unknown type|{\"type\":\"sometimes\"}||Input tag 'sometimes' found using 'type'",
      "not an object|true||thinking: Input should be an object",
      "forced tool|{\"type\":\"enabled\",\"budget_tokens\":2048}|tool_choice|"
          + "Thinking may not be enabled when tool_choice forces tool use.",
      "temperature|{\"type\":\"enabled\",\"budget_tokens\":2048}|temperature|"
          + "`temperature` may only be set to 1 when thinking is enabled.",
      "top_k|{\"type\":\"enabled\",\"budget_tokens\":2048}|top_k|`top_k` must be unset when thinking is enabled."
  })
  void whatThinkingCannotBeCombinedWithIsRefused(String name, String thinking, String extra, String message) {
    JsonObject body = thinkingRequest("hello").put("thinking", new JsonObject("{\"t\":" + thinking + "}").getValue("t"));
    if ("tool_choice".equals(extra)) {
      body.put("tools", new JsonArray().add(new JsonObject().put("name", "t")
          .put("input_schema", new JsonObject().put("type", "object"))))
          .put("tool_choice", new JsonObject().put("type", "any"));
    } else if ("temperature".equals(extra)) {
      body.put("temperature", 0.5);
    } else if ("top_k".equals(extra)) {
      body.put("top_k", 5);
    }
    assertRefused(body, message);
  }

  @Test
  void temperatureOneIsAllowedWithThinking() {
    assertThat(answer(KEY, thinkingRequest("hello").put("temperature", 1)).getJsonArray("content")).hasSize(2);
  }

  private void assertRefused(JsonObject body, String message) {
    HttpResponse<String> response = api.messages(KEY, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).contains(message);
  }

  @Test
  void changingTheThinkingSettingsInvalidatesTheMessagesCacheButNotTheSystems() {
    JsonObject body = request(new JsonArray().add(userSays(new JsonArray()
        .add(marked(text(textOfTokens(1100, 'u')))))))
        .put("system", new JsonArray().add(marked(text(textOfTokens(1100, 's')))))
        .put("max_tokens", 8192).put("thinking", thinking(2048));

    JsonObject written = api.usage(KEY, body);
    assertThat(written.getLong("cache_creation_input_tokens")).isEqualTo(2203);
    assertThat(api.usage(KEY, body).getLong("cache_read_input_tokens")).isEqualTo(2203);

    JsonObject otherBudget = api.usage(KEY, body.copy().put("thinking", thinking(4096)));
    assertThat(otherBudget.getLong("cache_read_input_tokens")).isEqualTo(1100);
    assertThat(otherBudget.getLong("cache_creation_input_tokens")).isEqualTo(1103);

    JsonObject off = api.usage(KEY, body.copy().put("thinking", new JsonObject().put("type", "disabled")));
    assertThat(off.getLong("cache_read_input_tokens")).isEqualTo(1100);
    JsonObject absent = body.copy();
    absent.remove("thinking");
    assertThat(api.usage(KEY, absent).getLong("cache_read_input_tokens"))
        .as("disabled and absent are the same settings").isEqualTo(2203);
  }
}
