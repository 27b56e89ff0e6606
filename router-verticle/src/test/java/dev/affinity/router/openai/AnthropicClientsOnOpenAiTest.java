package dev.affinity.router.openai;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceTool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
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
import java.util.List;
import java.util.Map;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anthropic clients (the official anthropic-java here; Claude Code the same way) on an alias served by
 * OpenAI-compatible deployments: Messages in, Chat Completions upstream, messages and Anthropic events back, and a
 * conversation kept on the deployment whose automatic prompt cache holds its prefix.
 */
class AnthropicClientsOnOpenAiTest {

  private static final String MASTER = "sk-anthropic-on-openai-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ACCOUNTS = List.of("oa-1", "oa-2", "oa-3");

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("oa-1", "sk-oa-1").addAccount("oa-2", "sk-oa-2").addAccount("oa-3", "sk-oa-3")));
    StringBuilder yaml = new StringBuilder("general_settings: {master_key: " + MASTER + "}\nmodel_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: gpt-4o
              litellm_params: {model: openai/gpt-4o, api_key: sk-oa-%d, api_base: "%s/v1"}
              model_info: {id: oa-%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
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
    assertThat(logs.all()).doesNotContain(MASTER, "sk-oa-1", "sk-oa-2", "sk-oa-3");
  }

  private static AnthropicClient client() {
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(MASTER).maxRetries(0).build();
  }

  private static MessageCreateParams hello() {
    return MessageCreateParams.builder().model("gpt-4o").maxTokens(64).system("Be brief.")
        .addUserMessage("Say hello.").build();
  }

  @Test
  void aMessageComesBackInAnthropicsShape() throws Exception {
    HttpResponseFor<Message> raw = client().messages().withRawResponse().create(hello());
    Message message = raw.parse();
    assertThat(message.content()).singleElement()
        .satisfies(block -> assertThat(block.text().orElseThrow().text()).isNotBlank());
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().inputTokens()).isPositive();
    assertThat(message.usage().outputTokens()).isPositive();
    assertThat(message.model().asString()).isEqualTo("gpt-4o");
    assertThat(raw.headers().values("x-affinity-deployment")).singleElement().isIn(ACCOUNTS);
    // what went upstream is a Chat Completions request
    JsonNode sent = lastRequest(raw.headers().values("x-affinity-deployment").get(0));
    assertThat(sent.at("/messages/0")).isEqualTo(JSON.createObjectNode().put("role", "system")
        .put("content", "Be brief."));
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
  }

  @Test
  void aStreamIsAnthropicsEventStream() {
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(hello())) {
      stream.stream().forEach(accumulator::accumulate);
    }
    Message message = accumulator.message();
    assertThat(message.content().get(0).text().orElseThrow().text()).isNotBlank();
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().outputTokens()).isPositive();
  }

  @Test
  void aToolCallComesBackAsToolUseStreamedOrNot() {
    MessageCreateParams params = hello().toBuilder()
        .addTool(Tool.builder().name("get_weather").description("Weather in a city")
            .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .required(List.of("city")).build()).build())
        .toolChoice(ToolChoiceTool.builder().name("get_weather").build()).build();
    Message whole = client().messages().create(params);
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    for (Message message : List.of(whole, accumulator.message())) {
      assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
      assertThat(message.content()).anySatisfy(block -> {
        assertThat(block.toolUse()).isPresent();
        assertThat(block.toolUse().orElseThrow().name()).isEqualTo("get_weather");
        assertThat(JSON.<JsonNode>valueToTree(block.toolUse().orElseThrow()._input()).path("city").isTextual())
            .isTrue();
      });
    }
  }

  /** A growing conversation stays on the deployment that cached its prefix, and reads it there. */
  @Test
  void aConversationStaysWhereItsPrefixIsCached() throws Exception {
    String context = "The project notes follow. " + "Lorem ipsum dolor sit amet, consectetur adipiscing. ".repeat(160);
    String first = """
        {"model":"gpt-4o","max_tokens":32,"system":"You are a coding agent.",
         "messages":[{"role":"user","content":%s}]}""".formatted(JSON.writeValueAsString(context));
    HttpResponse<String> turn1 = gateway.post("/v1/messages", first, "x-api-key", MASTER);
    assertThat(turn1.statusCode()).as(turn1.body()).isEqualTo(200);
    String deployment = turn1.headers().firstValue("x-affinity-deployment").orElseThrow();
    String answer = JSON.readTree(turn1.body()).at("/content/0/text").asText();

    String second = """
        {"model":"gpt-4o","max_tokens":32,"system":"You are a coding agent.",
         "messages":[{"role":"user","content":%s},{"role":"assistant","content":%s},
                     {"role":"user","content":"And then?"}]}""".formatted(JSON.writeValueAsString(context),
        JSON.writeValueAsString(answer));
    HttpResponse<String> turn2 = gateway.post("/v1/messages", second, "x-api-key", MASTER);
    assertThat(turn2.statusCode()).as(turn2.body()).isEqualTo(200);
    assertThat(turn2.headers().firstValue("x-affinity-deployment")).hasValue(deployment);
    assertThat(turn2.headers().firstValue("x-affinity-route")).hasValue("pinned");
    assertThat(JSON.readTree(turn2.body()).at("/usage/cache_read_input_tokens").asLong()).isGreaterThanOrEqualTo(1024);
  }

  /** Chat Completions cannot count: the gateway estimates, and no upstream is asked (it would answer, and charge). */
  @Test
  void countTokensIsTheGatewaysEstimate() {
    long few = client().messages().countTokens(MessageCountTokensParams.builder().model("gpt-4o")
        .addUserMessage("How many?").build()).inputTokens();
    long many = client().messages().countTokens(MessageCountTokensParams.builder().model("gpt-4o")
        .system("word ".repeat(400)).addUserMessage("How many?").build()).inputTokens();
    // four characters a token, three per message: "How many?" is 3 + 3; the system prompt adds 2,000 / 4
    assertThat(few).isEqualTo(6);
    assertThat(many).isEqualTo(506);
    for (String account : ACCOUNTS) {
      assertThat(emulator.capturedRequests(account)).noneMatch(request -> request.body().contains("How many?"));
    }
  }

  @Test
  void whatChatCompletionsCannotTakeIsAClearAnthropicError() throws Exception {
    HttpResponse<String> serverTool = gateway.post("/v1/messages", """
        {"model":"gpt-4o","max_tokens":32,"tools":[{"type":"web_search_20250305","name":"web_search"}],
         "messages":[{"role":"user","content":"Search."}]}""", "x-api-key", MASTER);
    assertThat(serverTool.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(serverTool.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.at("/error/message").asText()).contains("web_search_20250305");
    for (String account : ACCOUNTS) {
      assertThat(emulator.capturedRequests(account)).noneMatch(request -> request.body().contains("Search."));
    }
  }

  private static JsonNode lastRequest(String account) throws Exception {
    return JSON.readTree(emulator.capturedRequests(account, 1).get(0).body());
  }
}
