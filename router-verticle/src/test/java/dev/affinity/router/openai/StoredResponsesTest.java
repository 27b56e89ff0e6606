package dev.affinity.router.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.inputitems.InputItemListPage;
import com.openai.models.responses.inputitems.InputItemListParams;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.router.EmulatedGateway;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Responses API's stored responses through the gateway with the official openai-java client, on an alias of two
 * OpenAI accounts of the emulator: a response is retrieved, its input items listed, it is cancelled (refused: it was
 * not made in the background) and deleted at the account that stored it, whichever that is, with the id the client
 * was given; ids the gateway did not give, of deployments the key may not use, or of a Claude deployment (which
 * stores nothing) are not found, in OpenAI's shape.
 */
class StoredResponsesTest {

  private static final String MASTER = "sk-stored-master";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static EmulatedGateway upstream;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    upstream = EmulatedGateway.start(MASTER, Map.of("oa-1", "sk-oa-1", "oa-2", "sk-oa-2", "oa-3", "sk-oa-3",
        "cl-1", "sk-cl-1"), base -> """
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-1, api_base: "%1$s/v1"}
            model_info: {id: oa-1}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-2, api_base: "%1$s/v1"}
            model_info: {id: oa-2}
          - model_name: gpt-mini
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-oa-3, api_base: "%1$s/v1"}
            model_info: {id: oa-3}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-cl-1, api_base: "%1$s"}
            model_info: {id: cl-1}
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
    assertThat(logs.all()).doesNotContain(MASTER, "sk-oa-1", "sk-oa-2", "sk-oa-3", "sk-cl-1");
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
  }

  private static ResponseInputItem user(String text) {
    return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
        .content(text).build());
  }

  private static Response created(String model, String input) {
    return client(MASTER).responses().create(ResponseCreateParams.builder().model(model).input(input).build());
  }

  private static String text(Response response) {
    return response.output().get(0).asMessage().content().get(0).asOutputText().text();
  }

  private static String inputText(ResponseItem item) {
    return item.asResponseInputMessageItem().content().get(0).asInputText().text();
  }

  private static List<CapturedRequest> requestsTo(String account, String upstreamId) {
    return emulator.capturedRequests(account).stream().filter(request -> request.uri().contains(upstreamId))
        .toList();
  }

  private static String newKey(JsonArray models) throws Exception {
    HttpResponse<String> response = gateway.post("/key/generate", new JsonObject().put("models", models).encode(),
        "authorization", "Bearer " + MASTER, "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getString("key");
  }

  /** OpenAI's 404 for an id it does not know: {@code {"error":{"message","type","param","code"}}}, type and all. */
  private static JsonNode assertOpenAiNotFound(HttpResponse<String> answer) throws Exception {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
    JsonNode error = JSON.readTree(answer.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.has("message") && error.has("param") && error.has("code")).as(answer.body()).isTrue();
    assertThat(error.get("param").isNull()).isTrue();
    return error;
  }

  @Test
  void aResponseIsRetrievedListedAndDeletedAtTheAccountThatStoredItWithTheClientsId() throws Exception {
    ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-4o")
        .inputOfResponse(List.of(user("first question"), user("second question"))).build();
    Response response = client(MASTER).responses().create(params);
    ResponseIds.Origin origin = ResponseIds.origin(response.id()).orElseThrow();
    assertThat(origin.deploymentId()).isIn("oa-1", "oa-2");
    String other = origin.deploymentId().equals("oa-1") ? "oa-2" : "oa-1";
    double tokensBefore = metricSum();

    HttpResponseFor<Response> raw = client(MASTER).responses().withRawResponse().retrieve(response.id());
    Response retrieved = raw.parse();

    assertThat(retrieved.id()).isEqualTo(response.id());
    assertThat(text(retrieved)).isEqualTo(text(response));
    assertThat(retrieved.usage()).isEqualTo(response.usage());
    assertThat(raw.headers().values("x-affinity-deployment")).containsExactly(origin.deploymentId());
    assertThat(raw.headers().values("x-affinity-route")).containsExactly("stored");
    // asked at the account that stored it, with its own id and the deployment's key; never at the other one
    List<CapturedRequest> asked = requestsTo(origin.deploymentId(), origin.upstreamId());
    assertThat(asked).anySatisfy(request -> {
      assertThat(request.method()).isEqualTo("GET");
      assertThat(request.uri()).isEqualTo("/v1/responses/" + origin.upstreamId());
    });
    assertThat(requestsTo(other, origin.upstreamId())).isEmpty();

    InputItemListPage items = client(MASTER).responses().inputItems().list(response.id());
    assertThat(items.data()).hasSize(2);
    // newest first, as OpenAI lists them; item ids are the upstream's, not response ids
    assertThat(inputText(items.data().get(0))).isEqualTo("second question");
    assertThat(inputText(items.data().get(1))).isEqualTo("first question");
    String newest = items.data().get(0).asResponseInputMessageItem().id();
    assertThat(newest).startsWith("msg_");
    assertThat(items.response().firstId()).isEqualTo(newest);
    assertThat(items.response().lastId()).isEqualTo(items.data().get(1).asResponseInputMessageItem().id());
    // the query goes through: one item at a time, oldest first, then the next page
    InputItemListPage page = client(MASTER).responses().inputItems().list(InputItemListParams.builder()
        .responseId(response.id()).limit(1L).order(InputItemListParams.Order.ASC).build());
    assertThat(page.data()).hasSize(1);
    assertThat(inputText(page.data().get(0))).isEqualTo("first question");
    assertThat(page.hasMore()).contains(true);
    assertThat(inputText(page.nextPage().data().get(0))).isEqualTo("second question");

    // not model calls: no tokens booked for them
    assertThat(metricSum()).isEqualTo(tokensBefore);

    client(MASTER).responses().delete(response.id());
    NotFoundException gone = catchThrowableOfType(NotFoundException.class,
        () -> client(MASTER).responses().retrieve(response.id()));
    assertThat(gone.statusCode()).isEqualTo(404);
    // the upstream's own error, in OpenAI's shape, status kept
    JsonNode error = assertOpenAiNotFound(gateway.get("/v1/responses/" + response.id(), "authorization",
        "Bearer " + MASTER));
    assertThat(error.get("message").asText()).contains(origin.upstreamId());
  }

  @Test
  void theDeletionAnswersWithTheClientsIdAndTheRoutesWithoutV1AreServed() throws Exception {
    Response response = created("gpt-4o", "to be deleted");

    HttpResponse<String> retrieved = gateway.get("/responses/" + response.id(), "authorization", "Bearer " + MASTER);
    assertThat(retrieved.statusCode()).as(retrieved.body()).isEqualTo(200);
    assertThat(JSON.readTree(retrieved.body()).get("id").asText()).isEqualTo(response.id());
    HttpResponse<String> listed = gateway.get("/responses/" + response.id() + "/input_items", "authorization",
        "Bearer " + MASTER);
    assertThat(JSON.readTree(listed.body()).get("object").asText()).isEqualTo("list");

    HttpResponse<String> deleted = gateway.delete("/responses/" + response.id(), "authorization",
        "Bearer " + MASTER);

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(JSON.readTree(deleted.body())).isEqualTo(JSON.readTree(new JsonObject().put("id", response.id())
        .put("object", "response").put("deleted", true).encode()));
    assertOpenAiNotFound(gateway.delete("/v1/responses/" + response.id(), "authorization", "Bearer " + MASTER));
  }

  @Test
  void aResponseMadeInTheForegroundCannotBeCancelledAsTheUpstreamSays() {
    Response response = created("gpt-4o", "not in the background");

    BadRequestException refused = catchThrowableOfType(BadRequestException.class,
        () -> client(MASTER).responses().cancel(response.id()));

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.getMessage()).contains("background");
    String upstreamId = ResponseIds.origin(response.id()).orElseThrow().upstreamId();
    assertThat(requestsTo(ResponseIds.origin(response.id()).orElseThrow().deploymentId(), upstreamId))
        .anySatisfy(request -> {
          assertThat(request.method()).isEqualTo("POST");
          assertThat(request.uri()).isEqualTo("/v1/responses/" + upstreamId + "/cancel");
        });
  }

  @Test
  void idsTheGatewayDidNotGiveAreNotFoundInOpenAisShapeOnEveryEndpoint() throws Exception {
    long asked = emulator.counters("oa-1").openAiRequests() + emulator.counters("oa-2").openAiRequests();
    for (String id : List.of("resp_garbage", "nonsense", ResponseIds.of("oa-9", "resp_abc"),
        "resp_" + "A".repeat(3000))) {
      for (String path : List.of("/v1/responses/" + id, "/v1/responses/" + id + "/input_items")) {
        JsonNode error = assertOpenAiNotFound(gateway.get(path, "authorization", "Bearer " + MASTER));
        assertThat(error.get("message").asText()).contains("not an id this gateway gave");
      }
      assertOpenAiNotFound(gateway.delete("/v1/responses/" + id, "authorization", "Bearer " + MASTER));
      assertOpenAiNotFound(gateway.post("/v1/responses/" + id + "/cancel", "", "authorization",
          "Bearer " + MASTER));
    }
    NotFoundException missing = catchThrowableOfType(NotFoundException.class,
        () -> client(MASTER).responses().retrieve("resp_forged"));
    assertThat(missing.statusCode()).isEqualTo(404);
    // no upstream was asked
    assertThat(emulator.counters("oa-1").openAiRequests() + emulator.counters("oa-2").openAiRequests())
        .isEqualTo(asked);
  }

  @Test
  void aResponseMadeOnAClaudeDeploymentCannotBeRetrieved() throws Exception {
    Response bridged = created("claude", "hello Claude");

    NotFoundException missing = catchThrowableOfType(NotFoundException.class,
        () -> client(MASTER).responses().retrieve(bridged.id()));

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.getMessage()).contains("Claude");
    // an id naming the Claude deployment is refused as one that stores nothing, without asking it
    JsonNode error = assertOpenAiNotFound(gateway.get("/v1/responses/" + ResponseIds.of("cl-1", "resp_x"),
        "authorization", "Bearer " + MASTER));
    assertThat(error.get("message").asText()).contains("stores no responses");
    assertThat(emulator.capturedRequests("cl-1")).noneMatch(request -> request.uri().contains("resp_x"));
  }

  @Test
  void aKeyReachesOnlyTheStoredResponsesOfAliasesItMayUse() throws Exception {
    Response response = created("gpt-4o", "whose is this?");
    String miniOnly = newKey(new JsonArray().add("gpt-mini"));
    String gptOnly = newKey(new JsonArray().add("gpt-4o"));

    NotFoundException refused = catchThrowableOfType(NotFoundException.class,
        () -> client(miniOnly).responses().retrieve(response.id()));
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(refused.getMessage()).contains("may not use");
    assertOpenAiNotFound(gateway.delete("/v1/responses/" + response.id(), "authorization", "Bearer " + miniOnly));

    assertThat(client(gptOnly).responses().retrieve(response.id()).id()).isEqualTo(response.id());
    // the refused delete deleted nothing
    assertThat(client(MASTER).responses().retrieve(response.id()).id()).isEqualTo(response.id());
    // an access line for each, with the deployment that answered and no key
    assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("affinity.access")
        .contains("path=/v1/responses/" + response.id()).contains("route=stored"));
  }

  @Test
  void aStreamedRetrieveOfAForegroundResponseAndUnknownQueryParametersAre400sNamingThem() throws Exception {
    Response response = created("gpt-4o", "no stream back");
    // stream=true goes upstream, which streams only background responses: its 400 is relayed; the others are ours
    for (Map.Entry<String, String> bad : Map.of(
        "/v1/responses/" + response.id() + "?stream=true", "stream",
        "/v1/responses/" + response.id() + "?starting_after=3", "starting_after",
        "/v1/responses/" + response.id() + "?api-version=1", "api-version",
        "/v1/responses/" + response.id() + "/input_items?stream=true", "stream").entrySet()) {
      HttpResponse<String> refused = gateway.get(bad.getKey(), "authorization", "Bearer " + MASTER);
      assertThat(refused.statusCode()).as(bad.getKey()).isEqualTo(400);
      JsonNode error = JSON.readTree(refused.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("param").asText()).as(bad.getKey()).isEqualTo(bad.getValue());
    }
    // stream=false is a whole retrieve; include goes upstream
    HttpResponse<String> whole = gateway.get("/v1/responses/" + response.id()
        + "?stream=false&include[]=message.output_text.logprobs", "authorization", "Bearer " + MASTER);
    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    String upstreamId = ResponseIds.origin(response.id()).orElseThrow().upstreamId();
    assertThat(requestsTo(ResponseIds.origin(response.id()).orElseThrow().deploymentId(), upstreamId))
        .anySatisfy(request -> assertThat(request.uri()).isEqualTo("/v1/responses/" + upstreamId
            + "?include%5B%5D=message.output_text.logprobs"));
  }

  @Test
  void otherPathsUnderResponsesAreNotFoundNamingWhatIsServed() throws Exception {
    HttpResponse<String> unknown = gateway.get("/v1/responses/resp_abc/something", "authorization",
        "Bearer " + MASTER);
    JsonNode error = assertOpenAiNotFound(unknown);
    assertThat(error.get("message").asText()).contains("GET /v1/responses/{id}/input_items");
  }

  /** The gateway's booked tokens on the gpt-4o alias, from {@code /metrics}. */
  private static double metricSum() {
    try {
      HttpResponse<String> metrics = gateway.get("/metrics", "authorization", "Bearer " + MASTER);
      double sum = 0;
      for (String line : metrics.body().split("\n")) {
        if (line.startsWith("affinity_tokens_total{") && line.contains("alias=\"gpt-4o\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception unreadable) {
      throw new IllegalStateException(unreadable);
    }
  }
}
