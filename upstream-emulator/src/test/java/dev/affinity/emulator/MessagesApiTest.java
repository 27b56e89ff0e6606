package dev.affinity.emulator;

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
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Anthropic-shaped surface: auth, validation, answers (JSON, SSE, tool use), headers, limits. */
@ExtendWith(VertxExtension.class)
class MessagesApiTest {

  private static final String KEY = "sk-emu-1";
  private static final String LIMITED_KEY = "sk-emu-limited";

  private UpstreamEmulator emulator;
  private ApiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount(new AccountConfig("limited", LIMITED_KEY, 2))
        .setLatency(new LatencyModel(0, 0, 0, 1000))).await();
    api = new ApiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject hello() {
    return request(new JsonArray().add(userSays("hello")));
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Test
  void unknownOrMissingKeysAreRejectedInAnthropicsShape() {
    for (String key : new String[] {"sk-wrong", null}) {
      HttpResponse<String> response = api.messages(key, hello());
      assertThat(response.statusCode()).isEqualTo(401);
      JsonObject body = error(response);
      assertThat(body.getString("type")).isEqualTo("error");
      assertThat(body.getJsonObject("error").getString("type")).isEqualTo("authentication_error");
      assertThat(body.getJsonObject("error").getString("message")).isEqualTo("invalid x-api-key");
      assertThat(body.getString("request_id")).startsWith("req_").isEqualTo(response.headers()
          .firstValue("request-id").orElseThrow());
      assertThat(response.body()).doesNotContain("sk-wrong");
    }
    assertThat(emulator.counters("acct-1").requests()).isZero();
  }

  @Test
  void aBearerTokenSelectsTheAccountToo() {
    HttpRequest request = api.request("/v1/messages", null)
        .header("authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(hello().encode())).build();
    assertThat(api.send(request).statusCode()).isEqualTo(200);
    assertThat(emulator.counters("acct-1").requests()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not json|{\"model\":|invalid JSON",
      "not an object|[1,2]|must be a JSON object",
      "empty body||request body is empty",
      "no model|{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|model: Field required",
      "model not a string|{\"model\":7,\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|model: Input should be a valid string",
      "no max_tokens|{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens: Field required",
      "max_tokens zero|{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|greater than or equal to 1",
      "max_tokens fractional|{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|max_tokens: Input should be a valid integer",
      "no messages|{\"model\":\"m\",\"max_tokens\":5}|messages: Field required",
      "messages not a list|{\"model\":\"m\",\"max_tokens\":5,\"messages\":{}}|messages: Input should be a valid list",
      "messages empty|{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}|at least one message",
      "bad ttl|{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"x\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"2h\"}}]}]}|ttl: Input should be"
,
      "metadata beyond user_id|{\"model\":\"m\",\"max_tokens\":5,\"metadata\":{\"user_id\":\"u\",\"tags\":[\"a\"]},"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|metadata.tags: Extra inputs are not permitted",
      "a field the API does not take|{\"model\":\"m\",\"max_tokens\":5,\"tags\":[\"a\"],"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|tags: Extra inputs are not permitted",
      "user_id not a string|{\"model\":\"m\",\"max_tokens\":5,\"metadata\":{\"user_id\":7},"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|metadata.user_id: Input should be a valid string"
  })
  void invalidBodiesAreAnswered400(String name, String body, String message) {
    HttpResponse<String> response = api.post("/v1/messages", KEY, body == null ? "" : body);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = error(response).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).contains(message);
    assertThat(emulator.counters("acct-1").errors()).isEqualTo(1);
  }

  @Test
  void theVersionHeaderIsRequired() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/v1/messages"))
        .header("x-api-key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(hello().encode())).build();
    HttpResponse<String> response = api.send(request);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response).getJsonObject("error").getString("message")).contains("anthropic-version");
  }

  @Test
  void aNonStreamingAnswerHasAnthropicsShape() {
    HttpResponse<String> response = api.post("/v1/messages?beta=true", KEY, hello().encode());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject message = new JsonObject(response.body());
    assertThat(message.getString("id")).startsWith("msg_");
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("role")).isEqualTo("assistant");
    assertThat(message.getString("model")).isEqualTo(ApiCalls.MODEL);
    assertThat(message.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(message.containsKey("stop_sequence")).isTrue();
    assertThat(message.getValue("stop_sequence")).isNull();
    String answer = message.getJsonArray("content").getJsonObject(0).getString("text");
    assertThat(answer.split(" ")).hasSize(EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    JsonObject usage = message.getJsonObject("usage");
    assertThat(usage.getLong("output_tokens")).isEqualTo(EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    assertThat(usage.getString("service_tier")).isEqualTo("standard");
    assertThat(usage.fieldNames()).contains("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_creation");
  }

  @Test
  void maxTokensCutsTheAnswer() {
    JsonObject message = new JsonObject(api.messages(KEY, hello().put("max_tokens", 5)).body());
    assertThat(message.getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(message.getJsonObject("usage").getLong("output_tokens")).isEqualTo(5);
  }

  @Test
  void streamingSendsTheEventsInTheRealOrderWithUsageAtStartAndEnd() {
    JsonObject body = request(new JsonArray().add(userSays(new JsonArray()
        .add(marked(text(textOfTokens(1100, 'q'))))))).put("stream", true);
    api.messages(KEY, body.copy().put("stream", false));

    HttpResponse<String> response = api.messages(KEY, body);
    assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<ApiCalls.Event> events = ApiCalls.events(response.body());
    List<String> names = events.stream().map(ApiCalls.Event::name).collect(Collectors.toList());
    int deltas = EmulatorOptions.DEFAULT_OUTPUT_TOKENS;
    assertThat(names.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
    assertThat(names.subList(3, 3 + deltas)).containsOnly("content_block_delta");
    assertThat(names.subList(3 + deltas, names.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    for (ApiCalls.Event event : events) {
      assertThat(event.data().getString("type")).isEqualTo(event.name());
    }

    JsonObject startUsage = events.get(0).data().getJsonObject("message").getJsonObject("usage");
    assertThat(startUsage.getLong("cache_read_input_tokens")).isEqualTo(1103);
    assertThat(startUsage.getLong("cache_creation_input_tokens")).isZero();
    assertThat(startUsage.getLong("output_tokens")).isEqualTo(1);

    ApiCalls.Event messageDelta = events.get(names.indexOf("message_delta"));
    assertThat(messageDelta.data().getJsonObject("delta").getString("stop_reason")).isEqualTo("end_turn");
    JsonObject endUsage = messageDelta.data().getJsonObject("usage");
    assertThat(endUsage.getLong("output_tokens")).isEqualTo(deltas);
    assertThat(endUsage.getLong("cache_read_input_tokens")).isEqualTo(1103);
    assertThat(endUsage.getLong("input_tokens")).isEqualTo(startUsage.getLong("input_tokens"));

    String streamed = events.stream().filter(event -> event.name().equals("content_block_delta"))
        .map(event -> event.data().getJsonObject("delta").getString("text")).collect(Collectors.joining());
    String whole = new JsonObject(api.messages(KEY, body.copy().put("stream", false)).body())
        .getJsonArray("content").getJsonObject(0).getString("text");
    assertThat(streamed).isEqualTo(whole);
  }

  private static JsonObject weatherTool() {
    return new JsonObject().put("name", "get_weather").put("description", "Weather").put("input_schema",
        new JsonObject().put("type", "object")
            .put("properties", new JsonObject()
                .put("location", new JsonObject().put("type", "string"))
                .put("unit", new JsonObject().put("enum", new JsonArray().add("celsius").add("fahrenheit")))
                .put("days", new JsonObject().put("type", "integer")))
            .put("required", new JsonArray().add("location").add("unit")));
  }

  @Test
  void aForcedToolIsCalledWithItsRequiredInput() {
    JsonObject body = hello()
        .put("tools", new JsonArray().add(new JsonObject().put("name", "noop")
            .put("input_schema", new JsonObject().put("type", "object"))).add(weatherTool()))
        .put("tool_choice", new JsonObject().put("type", "tool").put("name", "get_weather"));
    JsonObject message = new JsonObject(api.messages(KEY, body).body());
    assertThat(message.getString("stop_reason")).isEqualTo("tool_use");
    JsonObject toolUse = message.getJsonArray("content").getJsonObject(0);
    assertThat(toolUse.getString("type")).isEqualTo("tool_use");
    assertThat(toolUse.getString("id")).startsWith("toolu_");
    assertThat(toolUse.getString("name")).isEqualTo("get_weather");
    assertThat(toolUse.getJsonObject("input"))
        .isEqualTo(new JsonObject().put("location", "lorem").put("unit", "celsius"));

    List<ApiCalls.Event> events = ApiCalls.events(api.messages(KEY, body.put("stream", true)).body());
    assertThat(events.get(1).data().getJsonObject("content_block").getString("type")).isEqualTo("tool_use");
    String json = events.stream().filter(event -> event.name().equals("content_block_delta"))
        .map(event -> {
          assertThat(event.data().getJsonObject("delta").getString("type")).isEqualTo("input_json_delta");
          return event.data().getJsonObject("delta").getString("partial_json");
        })
        .collect(Collectors.joining());
    assertThat(new JsonObject(json)).isEqualTo(toolUse.getJsonObject("input"));
    assertThat(events.get(events.size() - 2).data().getJsonObject("delta").getString("stop_reason"))
        .isEqualTo("tool_use");
  }

  @Test
  void toolChoiceAnyCallsTheFirstTool() {
    JsonObject body = hello().put("tools", new JsonArray().add(weatherTool()))
        .put("tool_choice", new JsonObject().put("type", "any"));
    JsonObject message = new JsonObject(api.messages(KEY, body).body());
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("name")).isEqualTo("get_weather");
  }

  @Test
  void countTokensFollowsTheDocumentedFormula() {
    JsonObject tool = new JsonObject().put("name", "t").put("input_schema", new JsonObject().put("type", "object"));
    String toolJson = "{\"input_schema\":{\"type\":\"object\"},\"name\":\"t\"}";
    JsonObject body = new JsonObject().put("model", ApiCalls.MODEL)
        .put("tools", new JsonArray().add(tool))
        .put("system", "abcdefghi")
        .put("messages", new JsonArray().add(userSays("hello")).add(ApiCalls.assistantSays(
            new JsonArray().add(text("12345678")))));
    HttpResponse<String> response = api.post("/v1/messages/count_tokens", KEY, body.encode());
    assertThat(response.statusCode()).isEqualTo(200);
    long expected = (toolJson.length() + 3) / 4 + 3 + (2 + 3) + (2 + 3);
    assertThat(new JsonObject(response.body()).getLong("input_tokens")).isEqualTo(expected);
  }

  @Test
  void modelsAreListedInAnthropicsShape() {
    JsonObject list = new JsonObject(api.get("/v1/models", KEY).body());
    assertThat(list.getBoolean("has_more")).isFalse();
    JsonObject first = list.getJsonArray("data").getJsonObject(0);
    assertThat(first.getString("type")).isEqualTo("model");
    assertThat(list.getString("first_id")).isEqualTo(first.getString("id"));
    assertThat(api.get("/v1/models/" + first.getString("id"), KEY).statusCode()).isEqualTo(200);
    HttpResponse<String> missing = api.get("/v1/models/claude-nope", KEY);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(error(missing).getJsonObject("error").getString("type")).isEqualTo("not_found_error");
  }

  @Test
  void everyAnswerCarriesTheRequestIdAndRateLimitHeaders() {
    HttpResponse<String> response = api.messages(KEY, hello());
    assertThat(response.headers().firstValue("request-id").orElseThrow()).startsWith("req_");
    for (String limit : new String[] {"requests", "input-tokens", "output-tokens", "tokens"}) {
      String prefix = "anthropic-ratelimit-" + limit;
      assertThat(Long.parseLong(response.headers().firstValue(prefix + "-limit").orElseThrow())).isPositive();
      assertThat(Long.parseLong(response.headers().firstValue(prefix + "-remaining").orElseThrow()))
          .isNotNegative();
      assertThat(OffsetDateTime.parse(response.headers().firstValue(prefix + "-reset").orElseThrow()))
          .isNotNull();
    }
    HttpResponse<String> invalid = api.post("/v1/messages", KEY, "{}");
    assertThat(invalid.headers().firstValue("anthropic-ratelimit-requests-limit")).isPresent();
  }

  @Test
  void anAccountOverItsRequestLimitGetsA429UntilTheBucketRefills() {
    assertThat(api.messages(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);
    assertThat(api.messages(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = api.messages(LIMITED_KEY, hello());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(error(limited).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 30L);
    assertThat(limited.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("2");
    assertThat(limited.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("0");
    // Other accounts are not affected.
    assertThat(api.messages(KEY, hello()).statusCode()).isEqualTo(200);

    emulator.advanceClock(Duration.ofSeconds(30));
    assertThat(api.messages(LIMITED_KEY, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void severalEventLoopsShareOnePortAndOneState(Vertx vertx) {
    UpstreamEmulator wide = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .setEventLoops(3)).await();
    try {
      ApiCalls calls = new ApiCalls(wide);
      JsonObject cached = request(new JsonArray().add(userSays(new JsonArray()
          .add(marked(text(textOfTokens(1100, 'w')))))));
      calls.usage(KEY, cached);
      // Fresh connections land on the other servers: they must see the same cache and counters.
      for (int i = 0; i < 4; i++) {
        assertThat(new ApiCalls(wide).usage(KEY, cached).getLong("cache_read_input_tokens")).isEqualTo(1103);
      }
      assertThat(wide.counters("acct-1").requests()).isEqualTo(5);
    } finally {
      wide.close().await();
    }
  }

  @Test
  void unknownPathsAreAnsweredInTheErrorShape() {
    HttpResponse<String> response = api.get("/v1/nothing-here", KEY);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(error(response).getJsonObject("error").getString("type")).isEqualTo("not_found_error");
  }
}
