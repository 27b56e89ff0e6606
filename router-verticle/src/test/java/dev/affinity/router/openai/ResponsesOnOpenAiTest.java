package dev.affinity.router.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputMessage;
import com.openai.models.responses.ResponseStreamEvent;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.router.LogCapture;
import dev.affinity.router.EmulatedGateway;
import dev.affinity.router.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * OpenAI's Responses API through the gateway with the official openai-java client, on an alias of two OpenAI
 * accounts of the emulator: a conversation stays where its prefix is cached and reads it, a
 * {@code previous_response_id} follow-up reaches the account that stored the response, and errors come in OpenAI's
 * shape.
 */
class ResponsesOnOpenAiTest {

  private static final String MASTER = "sk-responses-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** About 1,600 tokens of instructions: past OpenAI's 1,024-token minimum on the first turn. */
  private static final String INSTRUCTIONS = "You are a careful assistant for the affinity project. ".repeat(120);

  private static EmulatedGateway upstream;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    upstream = EmulatedGateway.start(Map.of("oa-1", "sk-oa-1", "oa-2", "sk-oa-2", "oa-3", "sk-oa-3",
        "cl-1", "sk-cl-1"), base -> """
        general_settings: {master_key: %s}
        router_settings:
          fallbacks: [{gpt-4o: [gpt-backup]}]
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-1, api_base: "%s/v1"}
            model_info: {id: oa-1}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-2, api_base: "%s/v1"}
            model_info: {id: oa-2}
          - model_name: gpt-backup
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-3, api_base: "%s/v1"}
            model_info: {id: oa-3}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-cl-1, api_base: "%s"}
            model_info: {id: cl-1}
        """.formatted(MASTER, base, base, base, base));
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
    emulator.clearFaults();
    assertThat(logs.all()).doesNotContain(MASTER, "sk-oa-1", "sk-oa-2", "sk-oa-3", "sk-cl-1");
  }

  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(MASTER).maxRetries(0).build();
  }

  private static ResponseInputItem user(String text) {
    return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
        .content(text).build());
  }

  private static ResponseOutputMessage message(Response response) {
    return response.output().get(0).asMessage();
  }

  private static String text(Response response) {
    return message(response).content().get(0).asOutputText().text();
  }

  private static long cached(Response response) {
    return response.usage().orElseThrow().inputTokensDetails().cachedTokens();
  }

  private static String deploymentOf(String gatewayId) {
    return ResponseIds.origin(gatewayId).orElseThrow().deploymentId();
  }

  @Test
  void aThreeTurnConversationStaysOnOneDeploymentAndReadsItsCache() throws Exception {
    double readBefore = metricSum("cache_read");
    List<ResponseInputItem> items = new ArrayList<>(List.of(user("What is prompt caching?")));
    // no prompt_cache_key: the prefix chain alone keeps the conversation in place
    // instructions of its own: the other tests' conversations are cached on these accounts too
    ResponseCreateParams.Builder params = ResponseCreateParams.builder().model("gpt-4o")
        .instructions("Three turns. " + INSTRUCTIONS);

    HttpResponseFor<Response> first = client().responses().withRawResponse()
        .create(params.inputOfResponse(List.copyOf(items)).build());
    Response turn1 = first.parse();
    String deployment = first.headers().values("x-affinity-deployment").get(0);
    assertThat(deploymentOf(turn1.id())).isEqualTo(deployment);
    assertThat(cached(turn1)).isZero();

    items.add(ResponseInputItem.ofResponseOutputMessage(message(turn1)));
    items.add(user("And why does routing matter?"));
    HttpResponseFor<Response> second = client().responses().withRawResponse()
        .create(params.inputOfResponse(List.copyOf(items)).build());
    Response turn2 = second.parse();
    assertThat(second.headers().values("x-affinity-deployment")).containsExactly(deployment);
    assertThat(second.headers().values("x-affinity-route")).containsExactly("pinned");
    assertThat(cached(turn2)).isPositive();

    // the third turn streamed: the ids of its events name the same deployment, its usage comes with completed
    items.add(ResponseInputItem.ofResponseOutputMessage(message(turn2)));
    items.add(user("Summarise."));
    StringBuilder streamed = new StringBuilder();
    List<Response> completed = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try (StreamResponse<ResponseStreamEvent> stream = client().responses()
        .createStreaming(params.inputOfResponse(List.copyOf(items)).build())) {
      stream.stream().forEach(event -> {
        event.created().ifPresent(created -> ids.add(created.response().id()));
        event.outputTextDelta().ifPresent(delta -> streamed.append(delta.delta()));
        event.completed().ifPresent(done -> {
          completed.add(done.response());
          ids.add(done.response().id());
        });
      });
    }
    assertThat(completed).hasSize(1);
    Response turn3 = completed.get(0);
    assertThat(ids).containsExactly(turn3.id());
    assertThat(deploymentOf(turn3.id())).isEqualTo(deployment);
    assertThat(streamed.toString()).isEqualTo(text(turn3));
    assertThat(cached(turn3)).isGreaterThan(cached(turn2));
    // the gateway booked the cache reads it relayed, streamed ones included
    long reads = cached(turn2) + cached(turn3);
    assertThat(TestGateway.eventually(() -> metricSum("cache_read") - readBefore, sum -> sum >= reads))
        .isEqualTo((double) reads);
  }

  @Test
  void aFollowUpByPreviousResponseIdReachesTheAccountThatStoredIt() throws Exception {
    Set<String> holders = new HashSet<>();
    // short prompts are not pinned: the strategy (a weighted shuffle) spreads them, until both accounts hold some
    for (int i = 0; i < 24 && holders.size() < 2; i++) {
      Response first = client().responses().create(ResponseCreateParams.builder().model("gpt-4o")
          .input("Question " + i + ": what is a prefix?").build());
      String holder = deploymentOf(first.id());
      holders.add(holder);
      String upstreamId = ResponseIds.origin(first.id()).orElseThrow().upstreamId();
      assertThat(upstreamId).startsWith("resp_").doesNotContain(holder);

      HttpResponseFor<Response> followUp = client().responses().withRawResponse().create(ResponseCreateParams
          .builder().model("gpt-4o").previousResponseId(first.id()).input("Go on.").build());
      Response answer = followUp.parse();
      assertThat(followUp.headers().values("x-affinity-deployment")).containsExactly(holder);
      assertThat(followUp.headers().values("x-affinity-route")).containsExactly("stored");
      assertThat(answer.previousResponseId()).contains(first.id());
      assertThat(deploymentOf(answer.id())).isEqualTo(holder);
      // the upstream was asked with its own id, at the account that stored it (named as its deployment here)
      List<CapturedRequest> captured = emulator.capturedRequests(holder);
      JsonNode sent = JSON.readTree(captured.get(captured.size() - 1).body());
      assertThat(sent.get("previous_response_id").asText()).isEqualTo(upstreamId);
      assertThat(sent.get("model").asText()).isEqualTo("gpt-4o");
    }
    assertThat(holders).containsExactlyInAnyOrder("oa-1", "oa-2");
  }

  @Test
  void aStreamedFollowUpContinuesTheStoredConversation() {
    Response first = client().responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .instructions(INSTRUCTIONS).input("Hello there.").build());
    List<Response> completed = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client().responses().createStreaming(ResponseCreateParams
        .builder().model("gpt-4o").instructions(INSTRUCTIONS).previousResponseId(first.id()).input("More.").build())) {
      stream.stream().forEach(event -> event.completed().ifPresent(done -> completed.add(done.response())));
    }
    assertThat(completed).hasSize(1);
    assertThat(deploymentOf(completed.get(0).id())).isEqualTo(deploymentOf(first.id()));
    assertThat(completed.get(0).previousResponseId()).contains(first.id());
    // the stored turn is the prompt's prefix, cached at that account
    assertThat(cached(completed.get(0))).isPositive();
  }

  @Test
  void aFollowUpWhoseDeploymentFailsGetsItsErrorNotAnotherDeploymentsOrAliassAnswer() throws Exception {
    Response first = client().responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .input("Remember this.").build());
    String holder = deploymentOf(first.id());
    long backupBefore = emulator.counters("oa-3").openAiRequests();
    emulator.injectFault(Fault.status(500).times(-1).forAccount(holder));

    HttpResponse<String> failed = post("{\"model\":\"gpt-4o\",\"input\":\"And now?\",\"previous_response_id\":\""
        + first.id() + "\"}");

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(failed.body()).path("error").path("type").asText()).isEqualTo("server_error");
    assertThat(failed.headers().firstValue("x-affinity-deployment")).contains(holder);
    // neither the alias's other deployment nor the fallback alias was asked: neither holds the response
    String other = holder.equals("oa-1") ? "oa-2" : "oa-1";
    assertThat(emulator.capturedRequests(other)).noneMatch(request -> request.body().contains("And now?"));
    assertThat(emulator.counters("oa-3").openAiRequests()).isEqualTo(backupBefore);
    // a first turn in the same state falls back as configured
    HttpResponse<String> fresh = post("{\"model\":\"gpt-4o\",\"input\":\"A new conversation.\"}");
    assertThat(fresh.statusCode()).isEqualTo(200);
  }

  @Test
  void previousResponseIdsTheGatewayDidNotGiveOrOfAnotherAliasAreRefusedNamingTheField() throws Exception {
    for (String id : List.of("resp_not-a-gateway-id", ResponseIds.of("cl-1", "resp_abc"),
        ResponseIds.of("oa-9", "resp_abc"))) {
      HttpResponse<String> refused = post("{\"model\":\"gpt-4o\",\"input\":\"hi\",\"previous_response_id\":\"" + id
          + "\"}");
      assertThat(refused.statusCode()).as(id).isEqualTo(400);
      JsonNode error = JSON.readTree(refused.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("param").asText()).isEqualTo("previous_response_id");
    }
    // the client library sees the same refusal
    BadRequestException refused = catchThrowableOfType(BadRequestException.class, () -> client().responses()
        .create(ResponseCreateParams.builder().model("gpt-4o").previousResponseId("resp_forged").input("hi")
            .build()));
    assertThat(refused.statusCode()).isEqualTo(400);
  }

  @Test
  void aStoredResponseTheAccountDoesNotHaveIsTheUpstreamsNotFound() {
    NotFoundException missing = catchThrowableOfType(NotFoundException.class, () -> client().responses()
        .create(ResponseCreateParams.builder().model("gpt-4o").previousResponseId(ResponseIds.of("oa-2",
            "resp_gone")).input("hi").build()));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.getMessage()).contains("Previous response with id 'resp_gone' not found.");
  }

  @Test
  void badInputAndUnservedPairsAre400sInOpenAisShape() throws Exception {
    Map<String, String> cases = Map.of(
        "{\"model\":\"gpt-4o\",\"input\":42}", "input",
        "{\"model\":\"gpt-4o\"}", "input",
        "{\"input\":\"hi\"}", "model",
        "{\"model\":\"gpt-4o\",\"input\":[{\"role\":\"user\"}]}", "input[0].content",
        "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"max_output_tokens\":-1}", "max_output_tokens",
        "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"stream\":\"yes\"}", "stream");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      HttpResponse<String> refused = post(bad.getKey());
      assertThat(refused.statusCode()).as(bad.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).path("error").path("param").asText()).as(bad.getKey())
          .isEqualTo(bad.getValue());
    }
    HttpResponse<String> retrieve = gateway.get("/v1/responses/resp_abc", "authorization", "Bearer " + MASTER);
    assertThat(retrieve.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(retrieve.body()).path("error").path("message").asText())
        .contains("not an id this gateway gave");
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return gateway.post("/v1/responses", body, "authorization", "Bearer " + MASTER, "content-type",
        "application/json");
  }

  /** The gateway's booked tokens of one type on the Responses alias, from {@code /metrics}. */
  private static double metricSum(String type) {
    try {
      HttpResponse<String> metrics = gateway.get("/metrics", "authorization", "Bearer " + MASTER);
      double sum = 0;
      for (String line : metrics.body().split("\n")) {
        if (line.startsWith("affinity_tokens_total{") && line.contains("type=\"" + type + "\"")
            && line.contains("alias=\"gpt-4o\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception unreadable) {
      throw new IllegalStateException(unreadable);
    }
  }
}
