package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.assistantSays;
import static dev.affinity.emulator.ApiCalls.request;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test's directive in a user message makes the emulated model call a tool of its own accord, one directive per
 * assistant turn, so that an agent's tool loop (call, result, next call, answer) can be played on either API.
 */
@ExtendWith(VertxExtension.class)
class ToolDirectiveTest {

  private static final String KEY = "sk-emu-1";
  private static final String PROMPT = "Look at the file, then list the folder."
      + " [[emulator:tool read_file {\"path\": \"/tmp/notes.txt\"}]]"
      + " [[emulator:tool list_dir {\"path\": \"/tmp\", \"depth\": 1}]]";

  private UpstreamEmulator emulator;
  private ApiCalls api;
  private OpenAiCalls openAi;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .setLatency(new LatencyModel(0, 0, 0, 1000))).await();
    api = new ApiCalls(emulator);
    openAi = new OpenAiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonArray anthropicTools() {
    JsonArray tools = new JsonArray();
    for (String name : List.of("read_file", "list_dir")) {
      tools.add(new JsonObject().put("name", name).put("input_schema", new JsonObject().put("type", "object")));
    }
    return tools;
  }

  private static JsonObject toolResult(String id, String content) {
    return new JsonObject().put("type", "tool_result").put("tool_use_id", id).put("content", content);
  }

  @Test
  void eachAssistantTurnAfterTheDirectivesCallsTheNextToolThenTheModelAnswersInText() {
    JsonArray messages = new JsonArray().add(userSays(PROMPT));
    JsonObject first = new JsonObject(api.messages(KEY, request(messages).put("tools", anthropicTools())).body());
    assertThat(first.getString("stop_reason")).isEqualTo("tool_use");
    JsonObject call = first.getJsonArray("content").getJsonObject(0);
    assertThat(call.getString("name")).isEqualTo("read_file");
    assertThat(call.getJsonObject("input")).isEqualTo(new JsonObject().put("path", "/tmp/notes.txt"));

    // the client ran the tool and sends its result, with a reminder of its own beside it, as Claude Code does
    messages.add(assistantSays(first.getJsonArray("content"))).add(userSays(new JsonArray()
        .add(toolResult(call.getString("id"), "hello"))
        .add(new JsonObject().put("type", "text").put("text", "<system-reminder>be brief</system-reminder>"))));
    JsonObject second = new JsonObject(api.messages(KEY, request(messages).put("tools", anthropicTools())).body());
    JsonObject secondCall = second.getJsonArray("content").getJsonObject(0);
    assertThat(secondCall.getString("name")).isEqualTo("list_dir");
    assertThat(secondCall.getJsonObject("input")).isEqualTo(new JsonObject().put("path", "/tmp").put("depth", 1));

    messages.add(assistantSays(second.getJsonArray("content")))
        .add(userSays(new JsonArray().add(toolResult(secondCall.getString("id"), "notes.txt"))));
    JsonObject last = new JsonObject(api.messages(KEY, request(messages).put("tools", anthropicTools())).body());
    assertThat(last.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(last.getJsonArray("content").getJsonObject(0).getString("type")).isEqualTo("text");
  }

  @Test
  void aDirectedCallIsStreamedAfterTheThinkingAsTheModelChoseIt() {
    JsonObject body = request(new JsonArray().add(userSays(PROMPT))).put("tools", anthropicTools())
        .put("max_tokens", 4096).put("thinking", new JsonObject().put("type", "enabled").put("budget_tokens", 1024))
        .put("stream", true);
    List<ApiCalls.Event> events = ApiCalls.events(api.messages(KEY, body).body());
    List<String> blocks = events.stream().filter(event -> event.name().equals("content_block_start"))
        .map(event -> event.data().getJsonObject("content_block").getString("type")).toList();
    assertThat(blocks).containsExactly("thinking", "tool_use");
    String input = events.stream().filter(event -> event.name().equals("content_block_delta")
            && event.data().getJsonObject("delta").getString("type").equals("input_json_delta"))
        .map(event -> event.data().getJsonObject("delta").getString("partial_json")).collect(Collectors.joining());
    assertThat(new JsonObject(input)).isEqualTo(new JsonObject().put("path", "/tmp/notes.txt"));
    assertThat(events.get(events.size() - 2).data().getJsonObject("delta").getString("stop_reason"))
        .isEqualTo("tool_use");
  }

  @Test
  void aDirectiveForAToolTheRequestDoesNotOfferIsAnsweredInText() {
    JsonObject body = request(new JsonArray().add(userSays("[[emulator:tool delete_all {}]]")))
        .put("tools", anthropicTools());
    JsonObject answer = new JsonObject(api.messages(KEY, body).body());
    assertThat(answer.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(new JsonObject(api.messages(KEY, request(new JsonArray().add(userSays(PROMPT)))).body())
        .getString("stop_reason")).as("no tools at all").isEqualTo("end_turn");
  }

  @Test
  void chatCompletionsCallTheDirectedFunctionWithFinishReasonToolCalls() {
    JsonArray tools = new JsonArray();
    for (String name : List.of("read_file", "list_dir")) {
      tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)
          .put("parameters", new JsonObject().put("type", "object"))));
    }
    JsonArray messages = new JsonArray().add(OpenAiCalls.message("user", PROMPT));
    JsonObject choice = new JsonObject(openAi.chat(KEY, OpenAiCalls.chatRequest(messages).put("tools", tools)).body())
        .getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("read_file");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("path", "/tmp/notes.txt"));

    messages.add(choice.getJsonObject("message")).add(new JsonObject().put("role", "tool")
        .put("tool_call_id", call.getString("id")).put("content", "hello"));
    JsonObject next = new JsonObject(openAi.chat(KEY, OpenAiCalls.chatRequest(messages).put("tools", tools)).body())
        .getJsonArray("choices").getJsonObject(0);
    assertThat(next.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
        .getString("name")).isEqualTo("list_dir");
  }
}
