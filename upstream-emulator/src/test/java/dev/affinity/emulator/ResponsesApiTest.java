package dev.affinity.emulator;

import static dev.affinity.emulator.OpenAiCalls.textOfTokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /v1/responses} on the emulator's OpenAI accounts: the response object, the typed event stream, the
 * account's automatic prompt cache (numbers from the token formula: a message is 3 tokens of header plus its text at
 * 4 characters a token), stored responses continued by {@code previous_response_id}, and OpenAI's errors.
 */
@ExtendWith(VertxExtension.class)
class ResponsesApiTest {

  private static final String KEY = "sk-emu-1";
  private static final String OTHER_KEY = "sk-emu-2";
  /** 1500 tokens of instructions: with the developer header, 1503 tokens before the input. */
  private static final String INSTRUCTIONS = textOfTokens(1500, 'i');

  private UpstreamEmulator emulator;
  private OpenAiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", OTHER_KEY)).await();
    api = new OpenAiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject request(Object input) {
    return new JsonObject().put("model", OpenAiCalls.MODEL).put("input", input);
  }

  private JsonObject ok(String key, JsonObject body) {
    HttpResponse<String> response = api.responses(key, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("error");
  }

  private static long cached(JsonObject response) {
    return response.getJsonObject("usage").getJsonObject("input_tokens_details").getLong("cached_tokens");
  }

  @Test
  void aStringInputIsAnsweredWithOneAssistantMessageAndItsUsage() {
    HttpResponse<String> raw = api.responses(KEY, request("hello"));
    JsonObject response = new JsonObject(raw.body());

    assertThat(raw.headers().firstValue("x-request-id")).isPresent();
    assertThat(raw.headers().firstValue("x-ratelimit-remaining-requests")).isPresent();
    assertThat(response.getString("id")).matches("resp_[0-9a-f]{50}");
    assertThat(response.getString("object")).isEqualTo("response");
    assertThat(response.getString("status")).isEqualTo("completed");
    assertThat(response.getString("model")).isEqualTo(OpenAiCalls.MODEL);
    assertThat(response.getLong("created_at")).isPositive();
    JsonArray output = response.getJsonArray("output");
    assertThat(output).hasSize(1);
    JsonObject message = output.getJsonObject(0);
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("role")).isEqualTo("assistant");
    assertThat(message.getString("id")).startsWith("msg_");
    JsonObject text = message.getJsonArray("content").getJsonObject(0);
    assertThat(text.getString("type")).isEqualTo("output_text");
    assertThat(text.getString("text").split(" ")).hasSize(24);
    assertThat(text.getJsonArray("annotations")).isEmpty();
    // 3 (user header) + 2 ("hello")
    JsonObject usage = response.getJsonObject("usage");
    assertThat(usage.getLong("input_tokens")).isEqualTo(5);
    assertThat(cached(response)).isZero();
    assertThat(usage.getLong("output_tokens")).isEqualTo(24);
    assertThat(usage.getJsonObject("output_tokens_details").getLong("reasoning_tokens")).isZero();
    assertThat(usage.getLong("total_tokens")).isEqualTo(29);
    assertThat(emulator.counters("acct-1").openAiRequests()).isEqualTo(1);
  }

  @Test
  void aStringAnEasyMessageAndAnInputTextPartAreTheSamePrompt() {
    JsonObject asString = ok(KEY, request("hello"));
    JsonObject asMessage = ok(KEY, request(new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", "hello"))));
    JsonObject asPart = ok(KEY, request(new JsonArray().add(new JsonObject().put("type", "message")
        .put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "input_text")
            .put("text", "hello"))))));

    String text = asString.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text");
    assertThat(asMessage.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text")).isEqualTo(text);
    assertThat(asPart.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text")).isEqualTo(text);
  }

  @Test
  void maxOutputTokensCutsTheAnswerAndMakesItIncomplete() {
    JsonObject response = ok(KEY, request("hello").put("max_output_tokens", 16));

    assertThat(response.getString("status")).isEqualTo("incomplete");
    assertThat(response.getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
    assertThat(response.getJsonObject("usage").getLong("output_tokens")).isEqualTo(16);
    assertThat(response.getInteger("max_output_tokens")).isEqualTo(16);
  }

  @Test
  void aConversationReadsItsCachedPrefixTurnAfterTurn() {
    List<JsonObject> items = new ArrayList<>();
    items.add(new JsonObject().put("role", "user").put("content", "hello"));
    JsonObject first = ok(KEY, request(new JsonArray(new ArrayList<>(items))).put("instructions", INSTRUCTIONS));
    // 3 + 1500 + 3 + 2 = 1508: written, nothing read
    assertThat(first.getJsonObject("usage").getLong("input_tokens")).isEqualTo(1508);
    assertThat(cached(first)).isZero();

    // the client re-sends the output item as it came (ids, status, annotations) and a new user turn
    items.add(first.getJsonArray("output").getJsonObject(0));
    items.add(new JsonObject().put("role", "user").put("content", "and then?"));
    JsonObject second = ok(KEY, request(new JsonArray(new ArrayList<>(items))).put("instructions", INSTRUCTIONS));

    // everything the first turn sent, rounded down to a 128-token step: 1024 + 3 × 128 = 1408
    assertThat(cached(second)).isEqualTo(1408);
    long secondInput = second.getJsonObject("usage").getLong("input_tokens");
    assertThat(secondInput).isGreaterThan(1508);
    // the other account has its own cache
    assertThat(cached(ok(OTHER_KEY, request(new JsonArray(new ArrayList<>(items)))
        .put("instructions", INSTRUCTIONS)))).isZero();
  }

  @Test
  void previousResponseIdContinuesTheStoredConversationAndReadsItsCache() {
    JsonObject first = ok(KEY, request("hello").put("instructions", INSTRUCTIONS));
    JsonObject followUp = ok(KEY, new JsonObject().put("model", OpenAiCalls.MODEL).put("input", "and then?")
        .put("instructions", INSTRUCTIONS).put("previous_response_id", first.getString("id")));

    assertThat(followUp.getString("previous_response_id")).isEqualTo(first.getString("id"));
    assertThat(cached(followUp)).isEqualTo(1408);
    // the same turn sent whole, without the id, is the same prompt
    JsonArray whole = new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))
        .add(first.getJsonArray("output").getJsonObject(0))
        .add(new JsonObject().put("role", "user").put("content", "and then?"));
    JsonObject stateless = ok(KEY, request(whole).put("instructions", INSTRUCTIONS));
    assertThat(stateless.getJsonObject("usage").getLong("input_tokens"))
        .isEqualTo(followUp.getJsonObject("usage").getLong("input_tokens"));
  }

  @Test
  void anotherAccountsResponseIsNotFound() {
    JsonObject first = ok(KEY, request("hello"));
    HttpResponse<String> response = api.responses(OTHER_KEY, request("again")
        .put("previous_response_id", first.getString("id")));

    assertThat(response.statusCode()).isEqualTo(404);
    JsonObject error = error(response);
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("previous_response_id");
    assertThat(error.getString("message")).isEqualTo("Previous response with id '" + first.getString("id")
        + "' not found.");
  }

  @Test
  void anUnstoredResponseCannotBeContinued() {
    JsonObject first = ok(KEY, request("hello").put("store", false));
    assertThat(first.getBoolean("store")).isFalse();

    assertThat(api.responses(KEY, request("again").put("previous_response_id", first.getString("id")))
        .statusCode()).isEqualTo(404);
  }

  @Test
  void aStreamSendsOpenAisTypedEventsInOrderWithSequenceNumbers() {
    HttpResponse<String> raw = api.responses(KEY, request("hello").put("stream", true));
    assertThat(raw.headers().firstValue("content-type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("text/event-stream"));
    List<String> types = new ArrayList<>();
    List<JsonObject> events = new ArrayList<>();
    for (String frame : raw.body().split("\n\n")) {
      String[] lines = frame.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      JsonObject data = new JsonObject(lines[1].substring("data: ".length()));
      assertThat(data.getString("type")).isEqualTo(lines[0].substring("event: ".length()));
      assertThat(data.getInteger("sequence_number")).isEqualTo(events.size());
      types.add(data.getString("type"));
      events.add(data);
    }

    List<String> expected = new ArrayList<>(List.of("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added"));
    for (int i = 0; i < 24; i++) {
      expected.add("response.output_text.delta");
    }
    expected.addAll(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"));
    assertThat(types).isEqualTo(expected);
    JsonObject created = events.get(0).getJsonObject("response");
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(created.getString("status")).isEqualTo("in_progress");
    assertThat(completed.getString("id")).isEqualTo(created.getString("id"));
    assertThat(completed.getJsonObject("usage").getLong("input_tokens")).isEqualTo(5);
    StringBuilder deltas = new StringBuilder();
    events.stream().filter(e -> e.getString("type").equals("response.output_text.delta"))
        .forEach(e -> deltas.append(e.getString("delta")));
    assertThat(deltas.toString()).isEqualTo(completed.getJsonArray("output").getJsonObject(0)
        .getJsonArray("content").getJsonObject(0).getString("text"));
  }

  @Test
  void aForcedFunctionIsAnsweredWithAFunctionCallItemThatAFollowUpAnswers() {
    JsonObject tool = new JsonObject().put("type", "function").put("name", "get_weather")
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string")))
            .put("required", new JsonArray().add("city")));
    JsonObject response = ok(KEY, request("weather in Paris?").put("tools", new JsonArray().add(tool))
        .put("tool_choice", "required"));

    JsonObject call = response.getJsonArray("output").getJsonObject(0);
    assertThat(call.getString("type")).isEqualTo("function_call");
    assertThat(call.getString("name")).isEqualTo("get_weather");
    assertThat(call.getString("call_id")).startsWith("call_");
    assertThat(new JsonObject(call.getString("arguments")).getString("city")).isEqualTo("lorem");

    JsonObject answered = ok(KEY, new JsonObject().put("model", OpenAiCalls.MODEL)
        .put("previous_response_id", response.getString("id")).put("tools", new JsonArray().add(tool))
        .put("input", new JsonArray().add(new JsonObject().put("type", "function_call_output")
            .put("call_id", call.getString("call_id")).put("output", "sunny"))));
    assertThat(answered.getJsonArray("output").getJsonObject(0).getString("type")).isEqualTo("message");
  }

  /**
   * Codex's shape: built-in and namespaced tools beside its functions, {@code store: false} and the whole conversation
   * sent each time; a test's directive makes the model call a function, once per directive, then answer in text.
   */
  @Test
  void directedFunctionCallsPlayAToolLoopBesideBuiltInTools() {
    JsonArray tools = new JsonArray()
        .add(new JsonObject().put("type", "function").put("name", "exec_command")
            .put("parameters", new JsonObject().put("type", "object")))
        .add(new JsonObject().put("type", "web_search").put("external_web_access", false))
        .add(new JsonObject().put("type", "namespace").put("name", "multi_agent_v1").put("tools", new JsonArray()));
    JsonArray input = new JsonArray().add(new JsonObject().put("type", "message").put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text",
            "List the files. [[emulator:tool exec_command {\"cmd\": \"ls\"}]]"))));
    JsonObject first = ok(KEY, request(input).put("tools", tools).put("store", false));
    JsonObject call = first.getJsonArray("output").getJsonObject(0);
    assertThat(call.getString("type")).isEqualTo("function_call");
    assertThat(call.getString("name")).isEqualTo("exec_command");
    assertThat(new JsonObject(call.getString("arguments"))).isEqualTo(new JsonObject().put("cmd", "ls"));

    input.add(call).add(new JsonObject().put("type", "function_call_output").put("call_id", call.getString("call_id"))
        .put("output", "notes.txt"));
    JsonObject second = ok(KEY, request(input).put("tools", tools).put("store", false));
    assertThat(second.getJsonArray("output").getJsonObject(0).getString("type")).as("one directive, one call")
        .isEqualTo("message");
  }

  /**
   * A reasoning effort makes the answer start with a reasoning item (its summary when asked, an opaque encrypted
   * content when included), counted as reasoning tokens within max_output_tokens; handed back, it is prompt.
   */
  @Test
  void aReasoningEffortAnswersWithAReasoningItemFirst() {
    JsonObject asked = request("hello").put("reasoning", new JsonObject().put("effort", "medium")
        .put("summary", "auto")).put("include", new JsonArray().add("reasoning.encrypted_content"));
    JsonObject response = ok(KEY, asked);
    JsonObject reasoning = response.getJsonArray("output").getJsonObject(0);
    assertThat(reasoning.getString("type")).isEqualTo("reasoning");
    assertThat(reasoning.getString("id")).startsWith("rs_");
    assertThat(reasoning.getJsonArray("summary").getJsonObject(0).getString("text")).isNotBlank();
    assertThat(reasoning.getString("encrypted_content")).isNotBlank();
    assertThat(response.getJsonArray("output").getJsonObject(1).getString("type")).isEqualTo("message");
    JsonObject usage = response.getJsonObject("usage");
    long reasoningTokens = usage.getJsonObject("output_tokens_details").getLong("reasoning_tokens");
    assertThat(reasoningTokens).isEqualTo(EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    assertThat(usage.getLong("output_tokens")).isEqualTo(reasoningTokens + EmulatorOptions.DEFAULT_OUTPUT_TOKENS);

    JsonObject bare = ok(KEY, request("hello").put("reasoning", new JsonObject().put("effort", "low")))
        .getJsonArray("output").getJsonObject(0);
    assertThat(bare.getJsonArray("summary")).as("no summary asked for").isEmpty();
    assertThat(bare.containsKey("encrypted_content")).as("not included").isFalse();
    assertThat(ok(KEY, request("hello").put("reasoning", new JsonObject().put("effort", "none")))
        .getJsonArray("output").getJsonObject(0).getString("type")).isEqualTo("message");
    JsonObject capped = ok(KEY, asked.copy().put("max_output_tokens", 20));
    assertThat(capped.getString("status")).as("reasoning and answer share max_output_tokens").isEqualTo("incomplete");

    List<String> types = new ArrayList<>();
    for (String frame : api.responses(KEY, asked.copy().put("stream", true)).body().split("\n\n")) {
      types.add(new JsonObject(frame.split("\n")[1].substring("data: ".length())).getString("type"));
    }
    assertThat(types.subList(2, 5)).containsExactly("response.output_item.added",
        "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta");
    assertThat(types).contains("response.reasoning_summary_text.done", "response.reasoning_summary_part.done");
    assertThat(types.indexOf("response.content_part.added")).as("the message after the reasoning item")
        .isGreaterThan(types.indexOf("response.reasoning_summary_part.done"));
    assertInvalid(request("hello").put("reasoning", new JsonObject().put("effort", "maximal")), "reasoning.effort",
        "invalid_value");
  }

  @Test
  void invalidBodiesGet400sNamingTheParameter() {
    assertInvalid(new JsonObject().put("input", "hi"), "model", "missing_required_parameter");
    assertInvalid(new JsonObject().put("model", OpenAiCalls.MODEL), "input", "missing_required_parameter");
    assertInvalid(request(42), "input", "invalid_type");
    assertInvalid(request(new JsonArray().add("x")), "input[0]", "invalid_type");
    assertInvalid(request(new JsonArray().add(new JsonObject().put("role", "robot").put("content", "x"))),
        "input[0].role", "invalid_value");
    assertInvalid(request(new JsonArray().add(new JsonObject().put("role", "user"))), "input[0].content",
        "missing_required_parameter");
    assertInvalid(request(new JsonArray().add(new JsonObject().put("type", "function_call_output")
        .put("output", "x"))), "input[0].call_id", "missing_required_parameter");
    assertInvalid(request("hi").put("max_output_tokens", 15), "max_output_tokens", "integer_below_min_value");
    assertInvalid(request("hi").put("stream", "yes"), "stream", "invalid_type");
    assertInvalid(request("hi").put("metadata", new JsonObject().put("tags", new JsonArray())), "metadata.tags",
        "invalid_type");
    assertInvalid(request(new JsonArray().add(new JsonObject().put("type", "reasoning"))), "input[0].summary",
        "missing_required_parameter");
    assertThat(api.responses(KEY, request(new JsonArray().add(new JsonObject().put("type", "reasoning")
        .put("summary", new JsonArray()).put("encrypted_content", "opaque"))
        .add(new JsonObject().put("role", "user").put("content", "go on")))).statusCode())
        .as("a reasoning item handed back is read, as OpenAI reads it").isEqualTo(200);
    assertInvalid(request("hi").put("tools", new JsonArray().add(new JsonObject().put("type", "web_search")))
        .put("tool_choice", "required"), "tool_choice", "unsupported_value");
    assertInvalid(request("hi").put("tool_choice", "sometimes"), "tool_choice", "invalid_value");
  }

  private void assertInvalid(JsonObject body, String param, String code) {
    HttpResponse<String> response = api.responses(KEY, body);
    assertThat(response.statusCode()).as(body.encode()).isEqualTo(400);
    assertThat(error(response).getString("type")).isEqualTo("invalid_request_error");
    assertThat(error(response).getString("param")).as(body.encode()).isEqualTo(param);
    assertThat(error(response).getString("code")).as(body.encode()).isEqualTo(code);
  }

  @Test
  void keysAndFaultsAreAnsweredAsOnChatCompletions() {
    HttpResponse<String> unknown = api.responses("sk-wrong", request("hi"));
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(error(unknown).getString("code")).isEqualTo("invalid_api_key");
    assertThat(unknown.body()).doesNotContain("sk-wrong");

    emulator.injectFault(Fault.status(503));
    HttpResponse<String> overloaded = api.responses(KEY, request("hi"));
    assertThat(overloaded.statusCode()).isEqualTo(503);
    assertThat(error(overloaded).getString("type")).isEqualTo("server_error");
    assertThat(emulator.counters("acct-1").openAiErrors()).isEqualTo(1);
  }
}
