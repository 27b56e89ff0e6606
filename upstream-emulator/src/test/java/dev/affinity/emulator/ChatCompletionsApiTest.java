package dev.affinity.emulator;

import static dev.affinity.emulator.OpenAiCalls.DONE;
import static dev.affinity.emulator.OpenAiCalls.chatRequest;
import static dev.affinity.emulator.OpenAiCalls.hello;
import static dev.affinity.emulator.OpenAiCalls.message;
import static dev.affinity.emulator.OpenAiCalls.textOfTokens;
import static dev.affinity.emulator.OpenAiCalls.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenAI-shaped surface: auth, validation, answers (JSON, SSE, tool calls), headers, faults, models. */
@ExtendWith(VertxExtension.class)
class ChatCompletionsApiTest {

  private static final String KEY = "sk-emu-1";
  private static final String LIMITED_KEY = "sk-emu-limited";
  
  private UpstreamEmulator emulator;
  private OpenAiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount(new AccountConfig("limited", LIMITED_KEY, 2))
        .setLatency(new LatencyModel(0, 0, 0, 1000))
        // A still clock makes the rate-limit headers exact; time moves only when a test advances it.
        .setClock(Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC))).await();
    api = new OpenAiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("error");
  }

  // ---- authentication and validation ----

  @Test
  void anUnknownKeyIsRefusedInOpenAisShapeWithoutEchoingIt() {
    HttpResponse<String> response = api.chat("sk-not-a-key-123", hello());

    assertThat(response.statusCode()).isEqualTo(401);
    JsonObject error = error(response);
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("code")).isEqualTo("invalid_api_key");
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.getValue("param")).isNull();
    assertThat(error.getString("message")).startsWith("Incorrect API key provided").doesNotContain("sk-not");
    assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id)
        .matches("req_[0-9a-f]{32}"));
    assertThat(response.headers().firstValue("request-id")).isEmpty();
    assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    assertThat(emulator.counters("acct-1").openAiRequests()).isZero();
  }

  @Test
  void aMissingKeyIsRefusedWithNoCode() {
    HttpResponse<String> response = api.chat(null, hello());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(error(response).getString("type")).isEqualTo("invalid_request_error");
    assertThat(error(response).getValue("code")).isNull();
    assertThat(error(response).getString("message")).startsWith("You didn't provide an API key.");
  }

  @Test
  void anAnthropicStyleKeyHeaderDoesNotAuthenticateChatCompletions() {
    HttpResponse<String> response = api.send(api.request("/v1/chat/completions", null)
        .header("x-api-key", KEY)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(hello().encode())).build());

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void invalidBodiesGet400sNamingTheParameter() {
    assertInvalid(new JsonObject().put("messages", new JsonArray().add(message("user", "hi"))),
        "you must provide a model parameter", null, null);
    assertInvalid(new JsonObject().put("model", "gpt-4o"),
        "Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
    assertInvalid(chatRequest(new JsonArray()), null, "messages", "empty_array");
    assertInvalid(chatRequest(new JsonArray().add(new JsonObject().put("content", "hi"))),
        "Missing required parameter: 'messages[0].role'.", "messages[0].role", "missing_required_parameter");
    assertInvalid(chatRequest(new JsonArray().add(message("robot", "hi"))), null, "messages[0].role",
        "invalid_value");
    assertInvalid(chatRequest(new JsonArray().add(new JsonObject().put("role", "user").put("content", 7))), null,
        "messages[0].content", "invalid_type");
    assertInvalid(hello().put("max_tokens", 0), null, "max_tokens", "integer_below_min_value");
    assertInvalid(hello().put("stream", "yes"), null, "stream", "invalid_type");
    assertInvalid(hello().put("stream_options", new JsonObject().put("include_usage", true)), null,
        "stream_options", null);
    assertInvalid(hello().put("prompt_cache_retention", "1h"), null, "prompt_cache_retention", "invalid_value");
    assertInvalid(hello().put("tool_choice", "required"), null, "tool_choice", null);
    assertInvalid(hello().put("metadata", new JsonObject().put("tags", new JsonArray().add("job:7"))),
        "Invalid type for 'metadata.tags': expected a string, but got an array instead.", "metadata.tags",
        "invalid_type");
    assertInvalid(hello().put("metadata", new JsonObject().put("trace", "x".repeat(513))), null, "metadata.trace",
        "string_above_max_length");

    HttpResponse<String> notJson = api.send(api.request("/v1/chat/completions", KEY)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{nope")).build());
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(error(notJson).getString("message")).startsWith("We could not parse the JSON body");

    assertThat(api.chat(KEY, hello().put("metadata", new JsonObject().put("tags", "a,b"))).statusCode())
        .as("string values are OpenAI's metadata").isEqualTo(200);
    assertThat(emulator.counters("acct-1").openAiRequests()).isEqualTo(15);
    assertThat(emulator.counters("acct-1").openAiErrors()).isEqualTo(14);
    assertThat(emulator.counters("acct-1").errors()).isEqualTo(14);
  }

  private void assertInvalid(JsonObject body, String message, String param, String code) {
    HttpResponse<String> response = api.chat(KEY, body);
    assertThat(response.statusCode()).as(body.encode()).isEqualTo(400);
    JsonObject error = error(response);
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getValue("param")).as(body.encode()).isEqualTo(param);
    assertThat(error.getValue("code")).as(body.encode()).isEqualTo(code);
    if (message != null) {
      assertThat(error.getString("message")).isEqualTo(message);
    }
  }

  // ---- answers ----

  @Test
  void aCompletionHasOpenAisShapeHeadersAndUsage() {
    HttpResponse<String> response = api.chat(KEY, hello());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject completion = new JsonObject(response.body());
    assertThat(completion.getString("id")).matches("chatcmpl-[0-9A-Za-z]{29}");
    assertThat(completion.getString("object")).isEqualTo("chat.completion");
    assertThat(completion.getString("model")).isEqualTo("gpt-4o");
    assertThat(completion.getLong("created")).isEqualTo(emulator.now().getEpochSecond());
    assertThat(completion.getString("system_fingerprint")).startsWith("fp_");
    JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getInteger("index")).isZero();
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.getString("role")).isEqualTo("assistant");
    assertThat(message.getString("content").split(" ")).hasSize(EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    assertThat(message.containsKey("refusal")).isTrue();
    assertThat(message.getValue("refusal")).isNull();

    // user "hello": 3 tokens of message header + 2 of text.
    assertThat(completion.getJsonObject("usage")).isEqualTo(new JsonObject()
        .put("prompt_tokens", 5)
        .put("completion_tokens", 24)
        .put("total_tokens", 29)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0).put("audio_tokens", 0))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", 0).put("audio_tokens", 0)
            .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0)));

    assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id)
        .startsWith("req_"));
    assertThat(response.headers().firstValue("openai-processing-ms")).hasValueSatisfying(ms -> assertThat(ms)
        .matches("\\d+"));
    assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).hasValue("4000");
    assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("3999");
    assertThat(response.headers().firstValue("x-ratelimit-reset-requests")).hasValue("15ms");
    assertThat(response.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("2400000");
    assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("2399971");
    assertThat(response.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("1ms");
  }

  @Test
  void theSamePromptGetsTheSameTextAndTokenCapsCutIt() {
    String first = content(api.chat(KEY, hello()));
    assertThat(content(api.chat(KEY, hello()))).isEqualTo(first);

    JsonObject capped = new JsonObject(api.chat(KEY, hello().put("max_tokens", 3)).body());
    assertThat(capped.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
    assertThat(capped.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
    JsonObject cappedByNewField = new JsonObject(api.chat(KEY, hello().put("max_completion_tokens", 4)).body());
    assertThat(cappedByNewField.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(4);
    assertThat(first).startsWith(content(api.chat(KEY, hello().put("max_tokens", 3))));
  }

  private static String content(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");
  }

  @Test
  void aStreamSendsRoleContentAndFinishChunksThenDone() {
    HttpResponse<String> response = api.chat(KEY, hello().put("stream", true));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
        .startsWith("text/event-stream"));
    List<String> data = OpenAiCalls.dataLines(response.body());
    assertThat(data.get(data.size() - 1)).isEqualTo(DONE);
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
    assertThat(chunks).hasSize(1 + 24 + 1);
    assertThat(chunks).allSatisfy(chunk -> {
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(chunk.getString("id")).isEqualTo(chunks.get(0).getString("id"));
      assertThat(chunk.containsKey("usage")).isFalse();
    });
    assertThat(delta(chunks.get(0))).isEqualTo(new JsonObject().put("role", "assistant").put("content", "")
        .putNull("refusal"));
    String streamed = chunks.subList(1, 25).stream().map(chunk -> delta(chunk).getString("content"))
        .collect(Collectors.joining());
    assertThat(streamed).isEqualTo(content(api.chat(KEY, hello())));
    JsonObject last = chunks.get(25).getJsonArray("choices").getJsonObject(0);
    assertThat(last.getString("finish_reason")).isEqualTo("stop");
    assertThat(last.getJsonObject("delta")).isEqualTo(new JsonObject());
    assertThat(chunks.subList(0, 25)).allSatisfy(chunk -> assertThat(
        chunk.getJsonArray("choices").getJsonObject(0).getValue("finish_reason")).isNull());
  }

  @Test
  void withIncludeUsageEveryChunkCarriesANullUsageAndAFinalChunkCarriesTheUsage() {
    HttpResponse<String> response = api.chat(KEY, hello().put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));

    List<String> data = OpenAiCalls.dataLines(response.body());
    assertThat(data.get(data.size() - 1)).isEqualTo(DONE);
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
    assertThat(chunks).hasSize(1 + 24 + 1 + 1);
    assertThat(chunks.subList(0, 26)).allSatisfy(chunk -> {
      assertThat(chunk.containsKey("usage")).isTrue();
      assertThat(chunk.getValue("usage")).isNull();
      assertThat(chunk.getJsonArray("choices")).hasSize(1);
    });
    assertThat(chunks.get(25).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("stop");
    JsonObject usageChunk = chunks.get(26);
    assertThat(usageChunk.getJsonArray("choices")).isEmpty();
    assertThat(usageChunk.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(5);
    assertThat(usageChunk.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(24);
    assertThat(usageChunk.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(29);
    assertThat(emulator.counters("acct-1").openAiCompletionTokens()).isEqualTo(24);
  }

  private static JsonObject delta(JsonObject chunk) {
    return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
  }

  // ---- tool calls ----

  @Test
  void requiredToolChoiceAnswersWithAToolCall() {
    JsonObject body = hello().put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "required");

    JsonObject choice = new JsonObject(api.chat(KEY, body).body()).getJsonArray("choices").getJsonObject(0);

    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.getValue("content")).isNull();
    JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).matches("call_[0-9A-Za-z]{24}");
    assertThat(call.getString("type")).isEqualTo("function");
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("city", "lorem").put("unit", "c"));
  }

  @Test
  void aNamedFunctionIsCalledAndFinishesWithStopAsOpenAiDoes() {
    JsonObject other = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "noop").put("parameters", new JsonObject().put("type", "object")));
    JsonObject body = hello().put("tools", new JsonArray().add(other).add(weatherTool()))
        .put("tool_choice", new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather")));

    JsonObject choice = new JsonObject(api.chat(KEY, body).body()).getJsonArray("choices").getJsonObject(0);

    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0)
        .getJsonObject("function").getString("name")).isEqualTo("get_weather");

    HttpResponse<String> unknown = api.chat(KEY, body.copy().put("tool_choice", new JsonObject()
        .put("type", "function").put("function", new JsonObject().put("name", "nope"))));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getString("param")).isEqualTo("tool_choice");
  }

  @Test
  void aStreamedToolCallOpensWithIdAndNameThenStreamsItsArguments() {
    JsonObject body = hello().put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "required")
        .put("stream", true);

    List<String> data = OpenAiCalls.dataLines(api.chat(KEY, body).body());
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();

    JsonObject opening = delta(chunks.get(0)).getJsonArray("tool_calls").getJsonObject(0);
    assertThat(opening.getInteger("index")).isZero();
    assertThat(opening.getString("id")).startsWith("call_");
    assertThat(opening.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(opening.getJsonObject("function").getString("arguments")).isEmpty();
    String arguments = chunks.subList(1, chunks.size() - 1).stream()
        .map(chunk -> delta(chunk).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
            .getString("arguments"))
        .collect(Collectors.joining());
    assertThat(new JsonObject(arguments)).isEqualTo(new JsonObject().put("city", "lorem").put("unit", "c"));
    assertThat(chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("tool_calls");
    assertThat(data.get(data.size() - 1)).isEqualTo(DONE);
  }

  // ---- rate limits and faults ----

  @Test
  void overTheRequestLimitA429InOpenAisShapeSaysWhenToRetry() {
    assertThat(api.chat(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);
    assertThat(api.chat(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);

    HttpResponse<String> limited = api.chat(LIMITED_KEY, hello());

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(error(limited).getString("type")).isEqualTo("requests");
    assertThat(error(limited).getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error(limited).getString("message"))
        .startsWith("Rate limit reached for gpt-4o in organization limited on requests per min (RPM): Limit 2");
    assertThat(limited.headers().firstValue("retry-after")).hasValue("30");
    assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(limited.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1m0s");

    emulator.advanceClock(Duration.ofSeconds(30));
    assertThat(api.chat(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void statusFaultsAreAnsweredInOpenAisShape() {
    emulator.injectFault(Fault.status(500));
    emulator.injectFault(Fault.status(429).retryAfter(Duration.ofSeconds(2)));

    HttpResponse<String> serverError = api.chat(KEY, hello());
    assertThat(serverError.statusCode()).isEqualTo(500);
    assertThat(error(serverError).getString("type")).isEqualTo("server_error");
    assertThat(serverError.headers().firstValue("x-request-id")).isPresent();

    HttpResponse<String> limited = api.chat(KEY, hello());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(error(limited).getString("type")).isEqualTo("requests");
    assertThat(error(limited).getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(limited.headers().firstValue("retry-after")).hasValue("2");

    assertThat(api.chat(KEY, hello()).statusCode()).isEqualTo(200);
    AccountCounters counters = emulator.counters("acct-1");
    assertThat(counters.openAiErrors()).isEqualTo(2);
    assertThat(counters.errors()).isEqualTo(2);
    assertThat(counters.openAiRequests()).isEqualTo(3);
  }

  @Test
  void aResetFaultClosesTheConnection() {
    emulator.injectFault(Fault.reset());
    assertThatThrownBy(() -> api.chatWithTimeout(KEY, hello(), Duration.ofSeconds(10)))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    assertThat(api.chat(KEY, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void aStallFaultNeverAnswers() throws Exception {
    emulator.injectFault(Fault.stall());
    CompletableFuture<HttpResponse<String>> stalled = api.chatAsync(KEY, hello());
    awaitFaultPlayed();

    // Answered after the stalled request was taken: the stalled one is still waiting.
    assertThat(api.chat(KEY, hello()).statusCode()).isEqualTo(200);
    assertThat(stalled).isNotDone();
    stalled.cancel(true);
  }

  @Test
  void aMidStreamStallSendsTheRoleChunkThenGoesSilent(Vertx vertx) {
    emulator.injectFault(Fault.stallMidStream());
    HttpClient client = vertx.createHttpClient();
    Buffer received = Buffer.buffer();
    Promise<Void> firstChunk = Promise.promise();
    Promise<Void> ended = Promise.promise();
    client.request(HttpMethod.POST, emulator.port(), "127.0.0.1", "/v1/chat/completions")
        .compose(request -> request
            .putHeader("authorization", "Bearer " + KEY)
            .send(hello().put("stream", true).encode()))
        .onSuccess(response -> {
          response.handler(chunk -> {
            received.appendBuffer(chunk);
            if (received.toString().contains("\n\n")) {
              firstChunk.tryComplete();
            }
          });
          response.endHandler(v -> ended.tryComplete());
        });
    firstChunk.future().await();

    // Answered after the stalled stream began: the stalled one still has its first chunk only.
    assertThat(api.chat(KEY, hello()).statusCode()).isEqualTo(200);
    assertThat(ended.future().isComplete()).isFalse();
    List<String> data = OpenAiCalls.dataLines(received.toString());
    assertThat(data).hasSize(1);
    assertThat(delta(new JsonObject(data.get(0))).getString("role")).isEqualTo("assistant");
    assertThat(emulator.counters("acct-1").openAiErrors()).isEqualTo(1);
    client.close().await();
  }

  /** Waits until the server has taken the armed fault: a request sent is not yet a request received. */
  private void awaitFaultPlayed() throws InterruptedException {
    for (int i = 0; i < 1_000 && !emulator.pendingFaults().isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(emulator.pendingFaults()).isEmpty();
  }

  // ---- models ----

  @Test
  void modelsAreListedInOpenAisShapeToABearerClient() {
    HttpResponse<String> response = api.get("/v1/models", KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject list = new JsonObject(response.body());
    assertThat(list.getString("object")).isEqualTo("list");
    assertThat(list.getJsonArray("data")).isNotEmpty().allSatisfy(item -> {
      JsonObject model = (JsonObject) item;
      assertThat(model.fieldNames()).containsExactlyInAnyOrder("id", "object", "created", "owned_by");
      assertThat(model.getString("object")).isEqualTo("model");
    });
    assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).isPresent();

    JsonObject one = new JsonObject(api.get("/v1/models/gpt-4o", KEY).body());
    assertThat(one.getString("id")).isEqualTo("gpt-4o");
    HttpResponse<String> missing = api.get("/v1/models/gpt-0", KEY);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(error(missing).getString("code")).isEqualTo("model_not_found");
    assertThat(api.get("/v1/models", "sk-wrong").statusCode()).isEqualTo(401);
    assertThat(error(api.get("/v1/models", "sk-wrong")).getString("code")).isEqualTo("invalid_api_key");
  }

  @Test
  void anthropicClientsStillGetAnthropicsModelList() {
    ApiCalls anthropic = new ApiCalls(emulator);
    JsonObject byApiKey = new JsonObject(anthropic.get("/v1/models", KEY).body());
    assertThat(byApiKey.containsKey("has_more")).isTrue();

    HttpResponse<String> byBearer = anthropic.send(anthropic.request("/v1/models", null)
        .header("authorization", "Bearer " + KEY).GET().build());
    assertThat(new JsonObject(byBearer.body()).containsKey("has_more")).isTrue();
    HttpResponse<String> unknown = anthropic.get("/v1/models", "sk-wrong");
    assertThat(new JsonObject(unknown.body()).getString("type")).isEqualTo("error");
  }

  // ---- counters and captures ----

  @Test
  void countersAndCapturesIncludeOpenAiRequests() {
    api.chat(KEY, hello());

    AccountCounters counters = emulator.counters("acct-1");
    assertThat(counters.openAiRequests()).isEqualTo(1);
    assertThat(counters.requests()).isEqualTo(1);
    assertThat(counters.openAiPromptTokens()).isEqualTo(5);
    assertThat(counters.openAiCompletionTokens()).isEqualTo(24);
    assertThat(counters.inputTokens()).isZero();
    assertThat(counters.models()).isEmpty();

    JsonObject json = new JsonObject(api.get("/_emulator/counters", null).body()).getJsonObject("acct-1");
    assertThat(json.getLong("openai_requests")).isEqualTo(1);
    assertThat(json.getLong("openai_prompt_tokens")).isEqualTo(5);
    assertThat(json.getLong("openai_cached_tokens")).isZero();
    assertThat(json.getLong("openai_completion_tokens")).isEqualTo(24);
    assertThat(json.getLong("openai_errors")).isZero();

    CapturedRequest captured = emulator.capturedRequests("acct-1").get(0);
    assertThat(captured.uri()).isEqualTo("/v1/chat/completions");
    assertThat(captured.header("authorization")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(new JsonObject(captured.body())).isEqualTo(hello());

    emulator.reset();
    assertThat(emulator.counters("acct-1").openAiRequests()).isZero();
  }
}
