package dev.affinity.router.eventbus;

import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** An internal service that is a member of the Vert.x cluster calls the router without HTTP. */
class EventBusApiTest {

  private static final String KEY = "sk-bus-master";
  /** Event-bus callers present the gateway key in a message header, as HTTP clients do in theirs. */
  private static final DeliveryOptions WITH_KEY = new DeliveryOptions().addHeader("x-api-key", KEY);

  private static BusGateway bus;
  private static Vertx member;

  @BeforeAll
  static void start() throws Exception {
    bus = BusGateway.start(KEY, 40, baseUrl -> """
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "%1$s"}
          - model_name: gpt
            litellm_params: {model: openai/gpt-4o, api_key: sk-acct, api_base: "%1$s/v1"}
        """.formatted(baseUrl));
    member = bus.member;
  }

  @AfterAll
  static void stop() throws Exception {
    bus.close();
  }

  private static JsonObject call(boolean stream) {
    return new JsonObject().put("operation", "messages")
        .put("headers", new JsonObject().put("anthropic-version", "2023-06-01"))
        .put("body", new JsonObject().put("model", "claude").put("max_tokens", 40).put("stream", stream)
            .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user")
                .put("content", "hello over the bus"))));
  }

  @Test
  void completeAnswer() throws Exception {
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(false), WITH_KEY))
        .body();
    assertThat(answer.getInteger("status")).isEqualTo(200);
    assertThat(answer.getString("route")).isEqualTo("unpinned");
    assertThat(answer.getJsonObject("body").getJsonObject("usage").getInteger("output_tokens")).isPositive();
    assertThat(answer.getJsonObject("headers").getString("request-id")).startsWith("req_");
  }

  @Test
  void streamedAnswerArrivesInOrderWithAnEndMarker() throws Exception {
    String address = "test.stream." + UUID.randomUUID();
    Future<String> ended = TestGateway.streamReceiver(member, address);
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER,
        call(true).put("stream_address", address), WITH_KEY)).body();
    assertThat(answer.getBoolean("stream")).isTrue();
    String events = await(ended);
    assertThat(events).startsWith("event: message_start").contains("event: content_block_delta")
        .contains("event: message_stop");
  }

  /** OpenAI's Responses API over the bus: the same body as over HTTP, the same ids, the same typed events. */
  @Test
  void theResponsesApiIsServedToo() throws Exception {
    JsonObject call = new JsonObject().put("operation", "responses")
        .put("body", new JsonObject().put("model", "gpt").put("input", "hello over the bus"));
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call, WITH_KEY)).body();
    assertThat(answer.getInteger("status")).isEqualTo(200);
    JsonObject response = answer.getJsonObject("body");
    assertThat(response.getString("object")).isEqualTo("response");
    assertThat(response.getString("id")).as("the gateway's id, naming the deployment").startsWith("resp_");
    assertThat(response.getJsonObject("usage").getInteger("output_tokens")).isPositive();

    String address = "test.stream." + UUID.randomUUID();
    Future<String> ended = TestGateway.streamReceiver(member, address);
    call.getJsonObject("body").put("stream", true);
    assertThat(await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER,
        call.put("stream_address", address), WITH_KEY)).body().getBoolean("stream")).isTrue();
    assertThat(await(ended)).startsWith("event: response.created").contains("event: response.output_text.delta")
        .contains("event: response.completed");
  }

  /** A stored response read, listed and deleted over the bus, as over HTTP: the id names the deployment. */
  @Test
  void storedResponsesAreServedToo() throws Exception {
    JsonObject created = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "responses").put("body", new JsonObject().put("model", "gpt").put("input", "keep this")),
        WITH_KEY)).body();
    String id = created.getJsonObject("body").getString("id");

    JsonObject retrieved = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "response_retrieve").put("response_id", id), WITH_KEY)).body();
    assertThat(retrieved.getInteger("status")).isEqualTo(200);
    assertThat(retrieved.getJsonObject("body").getString("id")).isEqualTo(id);
    assertThat(retrieved.getString("route")).isEqualTo("stored");

    JsonObject items = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "response_input_items").put("response_id", id)
        .put("query", new JsonObject().put("limit", 5).put("order", "asc")), WITH_KEY)).body();
    assertThat(items.getInteger("status")).isEqualTo(200);
    assertThat(items.getJsonObject("body").getString("object")).isEqualTo("list");
    assertThat(items.getJsonObject("body").getJsonArray("data").encode()).contains("keep this");

    ReplyException unknownParameter = (ReplyException) catchThrowable(() -> await(member.eventBus().request(
        EventBusAddress.ROUTER, new JsonObject().put("operation", "response_input_items").put("response_id", id)
            .put("query", new JsonObject().put("api_key", "x")), WITH_KEY))).getCause();
    assertThat(unknownParameter.failureCode()).isEqualTo(400);
    assertThat(unknownParameter.getMessage()).contains("api_key");
    ReplyException noId = (ReplyException) catchThrowable(() -> await(member.eventBus().request(
        EventBusAddress.ROUTER, new JsonObject().put("operation", "response_retrieve"), WITH_KEY))).getCause();
    assertThat(noId.failureCode()).isEqualTo(400);
    assertThat(noId.getMessage()).contains("response_id");

    JsonObject deleted = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "response_delete").put("response_id", id), WITH_KEY)).body();
    assertThat(deleted.getJsonObject("body").getBoolean("deleted")).isTrue();
    // the upstream's own answer, relayed with its status, as any upstream error is
    JsonObject gone = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "response_retrieve").put("response_id", id), WITH_KEY)).body();
    assertThat(gone.getInteger("status")).isEqualTo(404);
  }

  /**
   * A background response streamed over the bus is resumed over the bus: {@code response_retrieve} with
   * {@code query: {stream: true, starting_after: N}} sends the events after N to the call's {@code stream_address}.
   */
  @Test
  void aBackgroundStreamIsResumedOverTheBus() throws Exception {
    String first = "test.stream." + UUID.randomUUID();
    Future<String> made = TestGateway.streamReceiver(member, first);
    assertThat(await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, new JsonObject()
        .put("operation", "responses").put("stream_address", first).put("body", new JsonObject().put("model", "gpt")
            .put("input", "run on").put("background", true).put("stream", true)), WITH_KEY)).body()
        .getBoolean("stream")).isTrue();
    String events = await(made);
    String data = events.substring(events.indexOf("data: ") + "data: ".length(), events.indexOf('\n',
        events.indexOf("data: ")));
    String id = new JsonObject(data).getJsonObject("response").getString("id");

    String again = "test.stream." + UUID.randomUUID();
    Future<String> resumed = TestGateway.streamReceiver(member, again);
    JsonObject retrieve = new JsonObject().put("operation", "response_retrieve").put("response_id", id)
        .put("query", new JsonObject().put("stream", true).put("starting_after", 1));
    assertThat(await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER,
        retrieve.copy().put("stream_address", again), WITH_KEY)).body().getString("route")).isEqualTo("stored");
    String rest = await(resumed);
    assertThat(rest).startsWith("event: response.in_progress").contains("\"id\":\"" + id + "\"")
        .contains("event: response.completed").doesNotContain("event: response.created");

    ReplyException noAddress = (ReplyException) catchThrowable(() -> await(member.eventBus().request(
        EventBusAddress.ROUTER, retrieve, WITH_KEY))).getCause();
    assertThat(noAddress.failureCode()).isEqualTo(400);
    assertThat(noAddress.getMessage()).contains("stream_address");
  }

  /** A field of the wrong type is a 400 naming it, at once: it threw in the handler, and the caller heard nothing. */
  @Test
  void mistypedFieldsAreRefusedNamingThem() {
    DeliveryOptions quick = new DeliveryOptions(WITH_KEY).setSendTimeout(5_000);
    for (var field : List.of(Map.entry("operation", (Object) 5), Map.entry("stream_address", true),
        Map.entry("tenant", new JsonObject()), Map.entry("headers", "anthropic-version: 2023-06-01"),
        Map.entry("response_id", 7), Map.entry("query", "limit=5"))) {
      Throwable refused = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER,
          call(false).put(field.getKey(), field.getValue()), quick)));
      assertThat(refused).as(field.getKey()).isInstanceOf(ExecutionException.class);
      ReplyException reply = (ReplyException) refused.getCause();
      assertThat(reply.failureCode()).as(field.getKey() + ": " + reply.getMessage()).isEqualTo(400);
      assertThat(reply.getMessage()).contains(field.getKey());
    }
  }

  @Test
  void errorsComeBackAsReplyFailuresWithTheStatus() {
    Throwable unknown = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER,
        call(false).put("body", call(false).getJsonObject("body").put("model", "nope")), WITH_KEY)));
    assertThat(unknown).isInstanceOf(ExecutionException.class);
    ReplyException reply = (ReplyException) unknown.getCause();
    assertThat(reply.failureCode()).isEqualTo(404);
    assertThat(new JsonObject(reply.getMessage()).getString("type")).isEqualTo("not_found_error");

    Throwable noAddress = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER, call(true),
        WITH_KEY)));
    assertThat(((ReplyException) noAddress.getCause()).failureCode()).isEqualTo(400);
    Throwable notJson = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER, "text",
        WITH_KEY)));
    assertThat(((ReplyException) notJson.getCause()).failureCode()).isEqualTo(400);
  }
}
