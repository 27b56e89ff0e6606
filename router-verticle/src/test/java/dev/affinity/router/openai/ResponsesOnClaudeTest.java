package dev.affinity.router.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceOptions;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.EmulatedGateway;
import dev.affinity.router.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenAI's Responses API through the gateway on Claude deployments (the Responses request bridged over Chat
 * Completions to Messages, as LiteLLM bridges it), with the official openai-java client: a conversation stays where
 * its (injected) breakpoint is cached and reads it, streams carry the typed events, function calls go both ways, and
 * what a Claude deployment cannot do is refused naming the field.
 */
class ResponsesOnClaudeTest {

  private static final String MASTER = "sk-responses-claude-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** About 1,600 tokens of instructions: past Claude Sonnet's 1,024-token minimum. */
  private static final String INSTRUCTIONS = "You are a careful assistant for the affinity project. ".repeat(120);

  private static EmulatedGateway upstream;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    // the Responses API has no cache markers: the gateway puts one on the system prompt, as LiteLLM can
    upstream = EmulatedGateway.start(MASTER, Map.of("cl-1", "sk-cl-1", "cl-2", "sk-cl-2"), base -> """
          - model_name: claude
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: sk-cl-1
              api_base: "%1$s"
              cache_control_injection_points:
                - {location: message, role: system}
            model_info: {id: cl-1}
          - model_name: claude
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: sk-cl-2
              api_base: "%1$s"
              cache_control_injection_points:
                - {location: message, role: system}
            model_info: {id: cl-2}
        """.formatted(base));
    emulator = upstream.emulator();
    gateway = upstream.gateway();
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
    logs.close();
  }

  @AfterEach
  void noSecretLogged() {
    assertThat(logs.all()).doesNotContain(MASTER, "sk-cl-1", "sk-cl-2");
  }

  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(MASTER).maxRetries(0).build();
  }

  private static ResponseInputItem user(String text) {
    return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
        .content(text).build());
  }

  private static String text(Response response) {
    return response.output().get(0).asMessage().content().get(0).asOutputText().text();
  }

  private static long cached(Response response) {
    return response.usage().orElseThrow().inputTokensDetails().cachedTokens();
  }

  @Test
  void aConversationStaysOnTheDeploymentThatCachedItAndReadsIt() {
    List<ResponseInputItem> items = new ArrayList<>(List.of(user("What is prompt caching?")));
    ResponseCreateParams.Builder params = ResponseCreateParams.builder().model("claude").instructions(INSTRUCTIONS)
        .maxOutputTokens(64);

    HttpResponseFor<Response> first = client().responses().withRawResponse()
        .create(params.inputOfResponse(List.copyOf(items)).build());
    Response turn1 = first.parse();
    String deployment = first.headers().values("x-affinity-deployment").get(0);
    // the other tests of this class call these accounts too: count from here
    long before = emulator.counters(deployment).requests();
    assertThat(turn1.status()).hasValueSatisfying(status -> assertThat(status.asString()).isEqualTo("completed"));
    assertThat(turn1.model().asString()).isEqualTo("claude");
    assertThat(text(turn1)).isNotBlank();

    items.add(ResponseInputItem.ofResponseOutputMessage(turn1.output().get(0).asMessage()));
    items.add(user("And why does routing matter?"));
    HttpResponseFor<Response> second = client().responses().withRawResponse()
        .create(params.inputOfResponse(List.copyOf(items)).build());
    assertThat(second.headers().values("x-affinity-deployment")).containsExactly(deployment);
    assertThat(cached(second.parse())).isPositive();

    // the third turn streamed, on the same deployment, reading the cache
    items.add(ResponseInputItem.ofResponseOutputMessage(second.parse().output().get(0).asMessage()));
    items.add(user("Summarise."));
    StringBuilder streamed = new StringBuilder();
    List<Response> completed = new ArrayList<>();
    List<String> types = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client().responses()
        .createStreaming(params.inputOfResponse(List.copyOf(items)).build())) {
      stream.stream().forEach(event -> {
        event.outputTextDelta().ifPresent(delta -> streamed.append(delta.delta()));
        event.completed().ifPresent(done -> completed.add(done.response()));
        types.add(event.isCreated() ? "created" : event.isCompleted() ? "completed" : "other");
      });
    }
    assertThat(types.get(0)).isEqualTo("created");
    assertThat(types.get(types.size() - 1)).isEqualTo("completed");
    assertThat(completed).hasSize(1);
    assertThat(streamed.toString()).isEqualTo(text(completed.get(0)));
    assertThat(cached(completed.get(0))).isPositive();
    assertThat(emulator.counters(deployment).requests() - before).isEqualTo(2);
  }

  @Test
  void aFunctionCallIsAnsweredAndItsOutputContinuesTheConversation() {
    FunctionTool weather = FunctionTool.builder().name("get_weather").strict(false)
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
            .build())
        .build();
    ResponseCreateParams.Builder params = ResponseCreateParams.builder().model("claude").addTool(weather);
    Response call = client().responses().create(params.input("Weather in Paris?")
        .toolChoice(ToolChoiceOptions.REQUIRED).build());

    ResponseFunctionToolCall functionCall = call.output().get(0).asFunctionCall();
    assertThat(functionCall.name()).isEqualTo("get_weather");
    assertThat(functionCall.callId()).isNotBlank();

    Response answered = client().responses().create(ResponseCreateParams.builder().model("claude").addTool(weather)
        .inputOfResponse(List.of(user("Weather in Paris?"), ResponseInputItem.ofFunctionCall(functionCall),
            ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(functionCall.callId()).output("sunny").build())))
        .build());
    assertThat(text(answered)).isNotBlank();
  }

  @Test
  void whatClaudeDeploymentsCannotDoIsRefusedNamingTheField() throws Exception {
    Map<String, String> cases = Map.of(
        "{\"model\":\"claude\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}", "previous_response_id",
        "{\"model\":\"claude\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type");
    for (Map.Entry<String, String> refused : cases.entrySet()) {
      HttpResponse<String> answer = gateway.post("/v1/responses", refused.getKey(), "authorization",
          "Bearer " + MASTER, "content-type", "application/json");
      assertThat(answer.statusCode()).as(refused.getKey()).isEqualTo(400);
      JsonNode error = JSON.readTree(answer.body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).isEqualTo(refused.getValue());
    }
  }
}
