package dev.affinity.router.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenAI face of the gateway with the official openai-java client: OpenAI deployments passed through, Claude
 * deployments translated, tool calls both ways, and every error in OpenAI's shape.
 */
class OpenAiSurfaceTest {

  private static final String MASTER = "sk-openai-surface-master";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("oa-1", "sk-oa-1").addAccount("oa-2", "sk-oa-2").addAccount("oa-3", "sk-oa-3")
        .addAccount("cl-1", "sk-cl-1")));
    StringBuilder yaml = new StringBuilder("general_settings: {master_key: " + MASTER
        + ", max_request_size_mb: 1}\nmodel_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: gpt-4o
              litellm_params: {model: openai/gpt-4o, api_key: sk-oa-%d, api_base: "%s/v1"}
              model_info: {id: oa-%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    yaml.append("""
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-cl-1, api_base: "%s"}
            model_info: {id: cl-1}
          - model_name: nowhere
            litellm_params: {model: openai/gpt-4o, api_key: sk-none, api_base: "http://127.0.0.1:%d/v1"}
        """.formatted(emulator.baseUrl(), TestGateway.freePort()));
    gateway = TestGateway.start(yaml.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
    logs.close();
  }

  @AfterEach
  void noSecretLogged() {
    emulator.clearFaults();
    assertThat(logs.all()).doesNotContain(MASTER, "sk-oa-1", "sk-oa-2", "sk-oa-3", "sk-cl-1", "sk-none");
  }

  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(MASTER).maxRetries(0).build();
  }

  private static ChatCompletionCreateParams hello(String model) {
    return ChatCompletionCreateParams.builder().model(model).maxCompletionTokens(32)
        .addSystemMessage("You are terse.").addUserMessage("Say hello.").build();
  }

  @Test
  void nonStreamingOnOpenAiAndClaudeDeployments() {
    for (String model : List.of("gpt-4o", "claude")) {
      HttpResponseFor<ChatCompletion> raw = client().chat().completions().withRawResponse().create(hello(model));
      ChatCompletion completion = raw.parse();
      assertThat(completion.choices()).hasSize(1);
      assertThat(completion.choices().get(0).message().content()).get().asString().isNotBlank();
      assertThat(completion.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP,
          ChatCompletion.Choice.FinishReason.LENGTH);
      assertThat(completion.usage()).get().satisfies(usage -> {
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isPositive();
      });
      assertThat(raw.headers().values("x-affinity-deployment")).singleElement()
          .isIn(model.equals("claude") ? List.of("cl-1") : List.of("oa-1", "oa-2", "oa-3"));
    }
  }

  @Test
  void streamingWithUsageOnOpenAiAndClaudeDeployments() {
    for (String model : List.of("gpt-4o", "claude")) {
      ChatCompletionCreateParams params = hello(model).toBuilder()
          .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
      StringBuilder text = new StringBuilder();
      List<ChatCompletionChunk> chunks = new ArrayList<>();
      try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
        stream.stream().forEach(chunk -> {
          chunks.add(chunk);
          chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
        });
      }
      assertThat(text.toString()).as(model).isNotBlank();
      ChatCompletionChunk last = chunks.get(chunks.size() - 1);
      assertThat(last.choices()).as(model + ": usage chunk last").isEmpty();
      assertThat(last.usage()).get().satisfies(usage -> assertThat(usage.completionTokens()).isPositive());
      assertThat(chunks).anySatisfy(chunk -> assertThat(chunk.choices()).anySatisfy(choice ->
          assertThat(choice.finishReason()).isPresent()));
    }
  }

  @Test
  void modelsListReadsInTheOpenAiClient() {
    List<String> ids = new ArrayList<>();
    client().models().list().autoPager().forEach(model -> ids.add(model.id()));
    assertThat(ids).contains("gpt-4o", "claude");
  }

  @Test
  void streamingWithoutUsageGetsNoUsageChunk() throws Exception {
    for (String model : List.of("gpt-4o", "claude")) {
      HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"" + model
          + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "authorization", "Bearer " + MASTER, "content-type", "application/json");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).as(model).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n")
          .doesNotContain("\"prompt_tokens\"");
    }
  }

  @Test
  void toolCallsRoundTrip() {
    for (String model : List.of("gpt-4o", "claude")) {
      ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model(model).maxCompletionTokens(64)
          .addUserMessage("What is the weather in Paris?")
          .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Current weather")
              .parameters(FunctionParameters.builder()
                  .putAdditionalProperty("type", JsonValue.from("object"))
                  .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                  .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                  .build())
              .build())
          .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
          .build();
      ChatCompletion first = client().chat().completions().create(ask);
      ChatCompletionMessage message = first.choices().get(0).message();
      assertThat(first.choices().get(0).finishReason()).as(model)
          .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
      ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();
      assertThat(call.function().name()).isEqualTo("get_weather");
      assertThat(call.function().arguments()).contains("city");

      ChatCompletion second = client().chat().completions().create(ask.toBuilder()
          .addMessage(message.toParam())
          .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18°C, sunny").build())
          .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
          .build());
      assertThat(second.choices().get(0).message().content()).as(model).get().asString().isNotBlank();
    }
  }

  @Test
  void cacheControlOnContentPartsBecomesBreakpointsThroughTranslation() throws Exception {
    StringBuilder system = new StringBuilder();
    java.util.Random random = new java.util.Random(9);
    while (system.length() < 12_000) {
      system.append("policy").append(random.nextInt(90_000)).append(' ');
    }
    List<Long> cached = new ArrayList<>();
    List<String> routes = new ArrayList<>();
    for (String question : List.of("first", "second")) {
      String body = "{\"model\":\"claude\",\"max_tokens\":16,\"messages\":[{\"role\":\"system\",\"content\":["
          + "{\"type\":\"text\",\"text\":\"" + system + "\",\"cache_control\":{\"type\":\"ephemeral\"}}]},"
          + "{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
      HttpResponse<String> response = gateway.post("/v1/chat/completions", body, bearer());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      routes.add(response.headers().firstValue("x-affinity-route").orElseThrow());
      cached.add(JSON.readTree(response.body()).path("usage").path("prompt_tokens_details").path("cached_tokens")
          .asLong());
    }
    assertThat(routes).containsExactly("claimed", "pinned");
    assertThat(cached.get(0)).isZero();
    assertThat(cached.get(1)).isGreaterThan(2000);
    JsonNode sent = JSON.readTree(emulator.capturedRequests("cl-1", 1).get(0).body());
    assertThat(sent.path("system").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
  }

  @Test
  void liteLlmsTagsInTheBodyAreNotForwardedAndOpenAisMetadataIs() throws Exception {
    String body = "{\"tags\":[\"team-x\"],\"model\":\"gpt-4o\",\"metadata\":{\"trace\":\"t-1\",\"tags\":[\"job:7\"]},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> response = gateway.post("/v1/chat/completions", body, bearer());
    assertThat(response.statusCode()).as("OpenAI refuses a metadata value that is not a string: " + response.body())
        .isEqualTo(200);
    String account = response.headers().firstValue("x-affinity-deployment").orElseThrow();
    assertThat(emulator.capturedRequests(account, 1).get(0).body())
        .isEqualTo("{\"model\":\"gpt-4o\",\"metadata\":{\"trace\":\"t-1\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  // ---- errors in OpenAI's shape; the node keeps serving ----

  private static String[] bearer() {
    return new String[] {"authorization", "Bearer " + MASTER, "content-type", "application/json"};
  }

  private static String good(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private static void expectError(HttpResponse<String> response, int status, String type, String mentions)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.isObject()).as(response.body()).isTrue();
    assertThat(error.path("type").asText()).isEqualTo(type);
    assertThat(error.path("message").asText()).contains(mentions);
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    assertThat(gateway.post("/v1/chat/completions", good("gpt-4o"), bearer()).statusCode()).isEqualTo(200);
  }

  @Test
  void gatewayErrorsAreInOpenAiShape() throws Exception {
    expectError(gateway.post("/v1/chat/completions", good("gpt-4o"), "content-type", "application/json"), 401,
        "invalid_request_error", "API key");
    expectError(gateway.post("/v1/chat/completions", "{\"model\": \"gpt-4o\", \"messages\": [", bearer()), 400,
        "invalid_request_error", "malformed JSON");
    expectError(gateway.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        bearer()), 400, "invalid_request_error", "model");
    expectError(gateway.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":\"x\"}", bearer()), 400,
        "invalid_request_error", "messages");
    expectError(gateway.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[],\"max_tokens\":-1}",
        bearer()), 400, "invalid_request_error", "messages");
    expectError(gateway.post("/v1/chat/completions", good("gpt-9"), bearer()), 404, "invalid_request_error",
        "gpt-9");
    expectError(gateway.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"" + "x".repeat(1_200_000) + "\"}]}", bearer()), 413, "invalid_request_error", "limit");
    expectError(gateway.post("/v1/chat/completions", good("nowhere"), bearer()), 502, "server_error",
        "unreachable");
  }

  @Test
  void upstreamErrorsReachOpenAiClientsInOpenAiShape() throws Exception {
    // longer than the router waits out itself (issue 13: up to 5 s is retried on the same deployment)
    emulator.injectFault(Fault.status(429).retryAfter(java.time.Duration.ofSeconds(30)).forAccount("cl-1").times(1));
    HttpResponse<String> translated = gateway.post("/v1/chat/completions", good("claude"), bearer());
    assertThat(translated.headers().firstValue("retry-after")).hasValue("30");
    expectError(translated, 429, "requests", "");
    for (String account : List.of("oa-1", "oa-2", "oa-3")) {
      emulator.injectFault(Fault.status(500).forAccount(account).times(1));
    }
    HttpResponse<String> passedThrough = gateway.post("/v1/chat/completions", good("gpt-4o"), bearer());
    emulator.clearFaults();
    expectError(passedThrough, 500, "server_error", "");
  }

  /**
   * Claude's thinking through the OpenAI API, streamed and not: the reasoning as {@code reasoning_content} and the
   * signed blocks as {@code thinking_blocks}, which the client hands back on the assistant message to go on with the
   * conversation. The emulator checks the signatures as Anthropic does, so a turn can only continue with the blocks as
   * they came.
   */
  @Test
  void thinkingBlocksComeWithTheirSignaturesAndContinueTheConversation() throws Exception {
    ChatCompletionCreateParams thinking = hello("claude").toBuilder().maxCompletionTokens(2048)
        .putAdditionalBodyProperty("thinking", JsonValue.from(Map.of("type", "enabled", "budget_tokens", 1024)))
        .build();
    for (boolean streamed : List.of(true, false)) {
      StringBuilder reasoning = new StringBuilder();
      StringBuilder text = new StringBuilder();
      List<JsonNode> blocks = new ArrayList<>();
      if (streamed) {
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(thinking)) {
          stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
            choice.delta().content().ifPresent(text::append);
            Map<String, JsonValue> extra = choice.delta()._additionalProperties();
            if (extra.containsKey("reasoning_content")) {
              reasoning.append(tree(extra.get("reasoning_content")).asText());
            }
            if (extra.containsKey("thinking_blocks")) {
              tree(extra.get("thinking_blocks")).forEach(blocks::add);
            }
          }));
        }
      } else {
        ChatCompletionMessage message = client().chat().completions().create(thinking).choices().get(0).message();
        message.content().ifPresent(text::append);
        reasoning.append(tree(message._additionalProperties().get("reasoning_content")).asText());
        tree(message._additionalProperties().get("thinking_blocks")).forEach(blocks::add);
      }
      assertThat(reasoning.toString()).as("streamed: " + streamed).isNotBlank();
      assertThat(blocks).as("streamed: " + streamed).singleElement().satisfies(block -> {
        assertThat(block.path("type").asText()).isEqualTo("thinking");
        assertThat(block.path("thinking").asText()).isEqualTo(reasoning.toString());
        assertThat(block.path("signature").asText()).isNotBlank();
      });

      ChatCompletion next = client().chat().completions().create(continued(thinking, text, blocks));
      assertThat(next.choices().get(0).message().content()).as("streamed: " + streamed).get().asString()
          .isNotBlank();
      ((com.fasterxml.jackson.databind.node.ObjectNode) blocks.get(0)).put("thinking", "Something else entirely.");
      assertThatThrownBy(() -> client().chat().completions().create(continued(thinking, text, blocks)))
          .isInstanceOf(BadRequestException.class).hasMessageContaining("Invalid `signature` in `thinking` block");
    }
  }

  private static ChatCompletionCreateParams continued(ChatCompletionCreateParams first, CharSequence answer,
      List<JsonNode> thinkingBlocks) {
    return first.toBuilder()
        .addMessage(ChatCompletionAssistantMessageParam.builder().content(answer.toString())
            .putAdditionalProperty("thinking_blocks", JsonValue.fromJsonNode(JSON.valueToTree(thinkingBlocks)))
            .build())
        .addUserMessage("Go on.")
        .build();
  }

  private static JsonNode tree(JsonValue value) {
    return JSON.valueToTree(value);
  }

  /** What the structured-output test asks Claude for, as openai-java derives a strict JSON schema from it. */
  public static final class Forecast {
    public String city;
    public long days;
  }

  /**
   * Structured outputs with openai-java as its users write them ({@code responseFormat(Forecast.class)}): Claude
   * answers through a forced tool, and the client reads the tool's input as its JSON content, whole or streamed.
   */
  @Test
  void structuredOutputsReachClaudeAsAForcedToolAndComeBackAsJsonContent() throws Exception {
    StructuredChatCompletionCreateParams<Forecast> params = ChatCompletionCreateParams.builder().model("claude")
        .maxCompletionTokens(256).addUserMessage("The forecast for Paris, please.")
        .responseFormat(Forecast.class).build();
    StructuredChatCompletion.Choice<Forecast> choice = client().chat().completions().create(params).choices().get(0);
    Forecast forecast = choice.message().content().orElseThrow();
    // the emulator fills a forced tool's required properties with the simplest value of their type
    assertThat(forecast.city).isEqualTo("lorem");
    assertThat(forecast.days).isEqualTo(1);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(choice.message().toolCalls()).isEmpty();
    JsonNode sent = JSON.readTree(emulator.capturedRequests("cl-1", 1).get(0).body());
    assertThat(sent.at("/tool_choice/name").asText()).isEqualTo("json_tool_call");
    assertThat(sent.at("/tools/0/input_schema/required")).hasSize(2);

    StringBuilder streamed = new StringBuilder();
    List<ChatCompletionChunk.Choice.FinishReason> reasons = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions()
        .createStreaming(params.rawParams())) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(streamedChoice -> {
        streamedChoice.delta().content().ifPresent(streamed::append);
        streamedChoice.finishReason().ifPresent(reasons::add);
      }));
    }
    assertThat(JSON.readValue(streamed.toString(), Forecast.class)).usingRecursiveComparison().isEqualTo(forecast);
    assertThat(reasons).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
  }

  /** {@code reasoning_effort}, which openai-java sends for reasoning models, turns Claude's thinking on. */
  @Test
  void reasoningEffortTurnsThinkingOn() throws Exception {
    ChatCompletionMessage message = client().chat().completions().create(ChatCompletionCreateParams.builder()
        .model("claude").addUserMessage("Think first.").reasoningEffort(ReasoningEffort.MEDIUM).build())
        .choices().get(0).message();
    assertThat(tree(message._additionalProperties().get("reasoning_content")).asText()).isNotBlank();
    JsonNode sent = JSON.readTree(emulator.capturedRequests("cl-1", 1).get(0).body());
    assertThat(sent.at("/thinking/budget_tokens").asInt()).isEqualTo(2048);
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(4096 + 2048);
  }
}
