package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stored responses of the emulator's OpenAI accounts, as OpenAI documents them: {@code GET /v1/responses/{id}}
 * (the response object), {@code DELETE} (then not found, nor continued), {@code POST .../cancel} (background
 * responses only) and {@code GET .../input_items} (a cursor list of the input items, with ids).
 */
@ExtendWith(VertxExtension.class)
class StoredResponsesApiTest {

  private static final String KEY = "sk-emu-1";
  private static final String OTHER_KEY = "sk-emu-2";

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

  /** Starts the emulator again, one account, answering at {@code latency}. */
  private void restartWith(Vertx vertx, LatencyModel latency) {
    emulator.close().await();
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions().addAccount("acct-1", KEY).setLatency(latency))
        .await();
    api = new OpenAiCalls(emulator);
  }

  private JsonObject created(JsonObject body) {
    HttpResponse<String> response = api.responses(KEY, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static JsonObject request(Object input) {
    return new JsonObject().put("model", OpenAiCalls.MODEL).put("input", input);
  }

  private HttpResponse<String> delete(String path, String key) {
    return api.send(api.request(path, key).DELETE().build());
  }

  private HttpResponse<String> post(String path, String key) {
    return api.send(api.request(path, key).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  private static void assertNotFound(HttpResponse<String> response, String id) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).isEqualTo("Response with id '" + id + "' not found.");
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.containsKey("code")).isTrue();
  }

  @Test
  void aStoredResponseIsRetrievedAsItWasAnswered() {
    JsonObject response = created(request("hello"));

    HttpResponse<String> retrieved = api.get("/v1/responses/" + response.getString("id"), KEY);

    assertThat(retrieved.statusCode()).as(retrieved.body()).isEqualTo(200);
    assertThat(new JsonObject(retrieved.body())).isEqualTo(response);
    assertThat(retrieved.headers().firstValue("x-request-id")).isPresent();
  }

  @Test
  void aStreamedResponseIsRetrievedAsItsCompletedEventCarriedIt() {
    HttpResponse<String> streamed = api.responses(KEY, request("hello").put("stream", true));
    List<String> data = OpenAiCalls.dataLines(streamed.body().replaceAll("(?m)^event: .*\n", ""));
    JsonObject completed = new JsonObject(data.get(data.size() - 1)).getJsonObject("response");

    HttpResponse<String> retrieved = api.get("/v1/responses/" + completed.getString("id"), KEY);

    assertThat(new JsonObject(retrieved.body())).isEqualTo(completed);
  }

  @Test
  void unknownUnstoredAndOtherAccountsResponsesAreNotFound() {
    JsonObject unstored = created(request("hello").put("store", false));
    JsonObject stored = created(request("hello"));

    assertNotFound(api.get("/v1/responses/resp_nothing", KEY), "resp_nothing");
    assertNotFound(api.get("/v1/responses/" + unstored.getString("id"), KEY), unstored.getString("id"));
    assertNotFound(api.get("/v1/responses/" + stored.getString("id"), OTHER_KEY), stored.getString("id"));
    assertNotFound(api.get("/v1/responses/" + stored.getString("id") + "/input_items", OTHER_KEY),
        stored.getString("id"));
    assertThat(api.get("/v1/responses/" + stored.getString("id"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void aDeletedResponseIsGoneAndCannotBeContinued() {
    String id = created(request("hello")).getString("id");

    HttpResponse<String> deleted = delete("/v1/responses/" + id, KEY);

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(new JsonObject(deleted.body())).isEqualTo(new JsonObject().put("id", id).put("object", "response")
        .put("deleted", true));
    assertNotFound(api.get("/v1/responses/" + id, KEY), id);
    assertNotFound(delete("/v1/responses/" + id, KEY), id);
    assertThat(api.responses(KEY, request("again").put("previous_response_id", id)).statusCode()).isEqualTo(404);
  }

  @Test
  void aBackgroundResponseIsQueuedAndCanBeCancelledWhileItRuns(Vertx vertx) {
    // answers take 5 s: the response is still queued when it is cancelled
    restartWith(vertx, new LatencyModel(5_000, 0, 0, 0));
    JsonObject queued = created(request("later").put("background", true));
    String id = queued.getString("id");
    assertThat(queued.getString("status")).isEqualTo("queued");
    assertThat(queued.getBoolean("background")).isTrue();
    assertThat(queued.getJsonArray("output")).isEmpty();
    assertThat(queued.getValue("usage")).isNull();
    assertThat(new JsonObject(api.get("/v1/responses/" + id, KEY).body()).getString("status")).isEqualTo("queued");

    HttpResponse<String> cancelled = post("/v1/responses/" + id + "/cancel", KEY);

    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(new JsonObject(cancelled.body()).getString("status")).isEqualTo("cancelled");
    assertThat(new JsonObject(api.get("/v1/responses/" + id, KEY).body()).getString("status"))
        .isEqualTo("cancelled");
    assertThat(new JsonObject(post("/v1/responses/" + id + "/cancel", KEY).body()).getString("status"))
        .as("idempotent").isEqualTo("cancelled");
  }

  @Test
  void aBackgroundResponseIsAnsweredIntoTheStore() {
    JsonObject queued = created(request("later").put("background", true));
    assertThat(queued.getString("status")).isEqualTo("queued");

    JsonObject done = new JsonObject(api.get("/v1/responses/" + queued.getString("id"), KEY).body());

    assertThat(done.getString("status")).as("no latency: answered at once").isEqualTo("completed");
    assertThat(done.getJsonArray("output")).isNotEmpty();
    assertThat(done.getJsonObject("usage").getInteger("output_tokens")).isPositive();
    assertThat(new JsonObject(post("/v1/responses/" + done.getString("id") + "/cancel", KEY).body())
        .getString("status")).as("over: cancelling changes nothing").isEqualTo("completed");
  }

  @Test
  void aBackgroundResponseMustBeStored() {
    HttpResponse<String> unstored = api.responses(KEY, request("x").put("background", true).put("store", false));
    assertThat(unstored.statusCode()).as(unstored.body()).isEqualTo(400);
    assertThat(new JsonObject(unstored.body()).getJsonObject("error").getString("param")).isEqualTo("store");
  }

  /**
   * Streamed, a background response is queued at once (its id in the first events) and its events follow from the
   * first token; its client may go: the response runs on to its answer, stored and charged, as OpenAI's does.
   */
  @Test
  void aStreamedBackgroundResponseRunsOnWhenItsClientGoes(Vertx vertx) throws Exception {
    // the first token after 300 ms, then 50 tokens a second: the client has gone long before the answer
    restartWith(vertx, new LatencyModel(300, 0, 0, 50));
    HttpClient client = vertx.createHttpClient();
    BackgroundStream stream = streamedInBackground(client, 4);
    List<JsonObject> events = stream.events();
    assertThat(events.subList(0, 3)).extracting(event -> event.getString("type"))
        .containsExactly("response.created", "response.queued", "response.in_progress");
    JsonObject created = events.get(0).getJsonObject("response");
    assertThat(created.getString("status")).isEqualTo("queued");
    assertThat(created.getBoolean("background")).isTrue();
    String id = created.getString("id");
    stream.response()[0].request().connection().close().await();
    assertThat(new JsonObject(api.get("/v1/responses/" + id, KEY).body()).getString("status"))
        .as("still running").isEqualTo("in_progress");

    JsonObject done = awaitOver(id);
    assertThat(done.getString("status")).as("answered without its client").isEqualTo("completed");
    int output = done.getJsonObject("usage").getInteger("output_tokens");
    assertThat(output).isPositive();
    Thread.sleep(200);
    assertThat(emulator.counters("acct-1").openAiCompletionTokens()).as("charged once").isEqualTo(output);
    client.close().await();
  }

  /**
   * A client that lost a background response's stream resumes it, as OpenAI documents: {@code GET
   * /v1/responses/{id}?stream=true&starting_after=N} streams the events after sequence number N, then the rest as they
   * come; after the end, the whole stream again.
   */
  @Test
  void aBackgroundStreamIsResumedAfterASequenceNumber(Vertx vertx) throws Exception {
    restartWith(vertx, new LatencyModel(100, 0, 0, 50));
    HttpClient client = vertx.createHttpClient();
    BackgroundStream first = streamedInBackground(client, 5);
    String id = first.events().get(0).getJsonObject("response").getString("id");
    int seen = first.events().size();
    first.response()[0].request().connection().close().await();

    BackgroundStream resumed = BackgroundStream.resume(client, emulator, id, seen - 1);
    resumed.ended().await();
    List<JsonObject> rest = resumed.events();
    assertThat(rest.get(0).getInteger("sequence_number")).as("right after what was seen").isEqualTo(seen);
    for (int i = 1; i < rest.size(); i++) {
      assertThat(rest.get(i).getInteger("sequence_number")).isEqualTo(seen + i);
    }
    assertThat(rest.get(rest.size() - 1).getString("type")).isEqualTo("response.completed");
    assertThat(new JsonObject(api.get("/v1/responses/" + id, KEY).body()).getString("status"))
        .isEqualTo("completed");

    BackgroundStream again = BackgroundStream.resume(client, emulator, id, -1);
    again.ended().await();
    assertThat(again.events()).hasSize(seen + rest.size());
    assertThat(again.events().get(0).getString("type")).isEqualTo("response.created");

    String foreground = created(request("hello")).getString("id");
    HttpResponse<String> refused = api.get("/v1/responses/" + foreground + "?stream=true", KEY);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("param")).isEqualTo("stream");
    HttpResponse<String> badCursor = api.get("/v1/responses/" + id + "?stream=true&starting_after=x", KEY);
    assertThat(badCursor.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badCursor.body()).getJsonObject("error").getString("param")).isEqualTo("starting_after");
    client.close().await();
  }

  @Test
  void aStreamedBackgroundResponseCancelledEndsItsStream(Vertx vertx) throws Exception {
    restartWith(vertx, new LatencyModel(100, 0, 0, 20));
    HttpClient client = vertx.createHttpClient();
    BackgroundStream stream = streamedInBackground(client, 6);
    String id = stream.events().get(0).getJsonObject("response").getString("id");

    assertThat(new JsonObject(post("/v1/responses/" + id + "/cancel", KEY).body()).getString("status"))
        .isEqualTo("cancelled");

    stream.ended().await();
    assertThat(stream.events()).extracting(event -> event.getString("type"))
        .contains("response.output_text.delta").doesNotContain("response.completed");
    Thread.sleep(200);
    assertThat(new JsonObject(api.get("/v1/responses/" + id, KEY).body()).getString("status"))
        .isEqualTo("cancelled");
    assertThat(emulator.counters("acct-1").openAiCompletionTokens()).as("not charged").isZero();
    client.close().await();
  }

  /** A background response created streamed, once {@code events} of its events have come. */
  private BackgroundStream streamedInBackground(HttpClient client, int events) {
    return BackgroundStream.open(client, emulator, request("write at length").put("background", true)
        .put("stream", true), events);
  }

  /** The stored response once it is no longer running, or as it is after five seconds. */
  private JsonObject awaitOver(String id) throws InterruptedException {
    JsonObject response = new JsonObject(api.get("/v1/responses/" + id, KEY).body());
    for (int i = 0; i < 100 && List.of("queued", "in_progress").contains(response.getString("status")); i++) {
      Thread.sleep(50);
      response = new JsonObject(api.get("/v1/responses/" + id, KEY).body());
    }
    return response;
  }

  /** A streamed {@code POST /v1/responses}, read as it comes. */
  private record BackgroundStream(HttpClientResponse[] response, Buffer received, Promise<Void> end) {

    /** Sends {@code body} and returns once {@code events} events have come. */
    static BackgroundStream open(HttpClient client, UpstreamEmulator emulator, JsonObject body, int events) {
      return read(client.request(HttpMethod.POST, emulator.port(), "127.0.0.1", "/v1/responses")
          .compose(request -> request.putHeader("authorization", "Bearer " + KEY).send(body.encode())), events);
    }

    /** Resumes the stream of {@code id} after sequence number {@code after} (-1: from the start). */
    static BackgroundStream resume(HttpClient client, UpstreamEmulator emulator, String id, int after) {
      String query = after < 0 ? "?stream=true" : "?stream=true&starting_after=" + after;
      return read(client.request(HttpMethod.GET, emulator.port(), "127.0.0.1", "/v1/responses/" + id + query)
          .compose(request -> request.putHeader("authorization", "Bearer " + KEY).send()), 1);
    }

    private static BackgroundStream read(io.vertx.core.Future<HttpClientResponse> answer, int events) {
      BackgroundStream stream = new BackgroundStream(new HttpClientResponse[1], Buffer.buffer(), Promise.promise());
      Promise<Void> first = Promise.promise();
      answer.onSuccess(response -> {
        // handlers set on the connection's loop, before any of the body can come
        stream.response()[0] = response;
        response.handler(chunk -> {
          stream.received().appendBuffer(chunk);
          if (stream.events().size() >= events) {
            first.tryComplete();
          }
        });
        response.endHandler(v -> {
          stream.end().tryComplete();
          first.tryComplete();
        });
      }).onFailure(first::tryFail);
      first.future().await();
      assertThat(stream.response()[0].getHeader("content-type")).startsWith("text/event-stream");
      return stream;
    }

    /** The events received whole, each an {@code event:} line and a {@code data:} line. */
    List<JsonObject> events() {
      String text = received.toString();
      List<JsonObject> events = new java.util.ArrayList<>();
      for (String frame : text.substring(0, text.lastIndexOf("\n\n") + 1).split("\n\n")) {
        if (!frame.isBlank()) {
          events.add(new JsonObject(frame.substring(frame.indexOf("data: ") + "data: ".length()).trim()));
        }
      }
      return events;
    }

    io.vertx.core.Future<Void> ended() {
      return end.future();
    }
  }

  @Test
  void aResponseMadeInTheForegroundCannotBeCancelled() {
    String id = created(request("hello")).getString("id");

    HttpResponse<String> cancelled = post("/v1/responses/" + id + "/cancel", KEY);

    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(400);
    JsonObject error = new JsonObject(cancelled.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).contains("background");
    assertNotFound(post("/v1/responses/resp_nothing/cancel", KEY), "resp_nothing");
    // still there
    assertThat(api.get("/v1/responses/" + id, KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void inputItemsListTheRequestsInputWithIdsNewestFirst() {
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "one"))
        .add(new JsonObject().put("role", "user").put("content", "two"))
        .add(new JsonObject().put("role", "user").put("content", "three"));
    String id = created(request(input)).getString("id");

    JsonObject list = new JsonObject(api.get("/v1/responses/" + id + "/input_items", KEY).body());

    assertThat(list.getString("object")).isEqualTo("list");
    assertThat(list.getBoolean("has_more")).isFalse();
    JsonArray data = list.getJsonArray("data");
    assertThat(data).hasSize(3);
    assertThat(texts(data)).containsExactly("three", "two", "one");
    for (int i = 0; i < data.size(); i++) {
      JsonObject item = data.getJsonObject(i);
      assertThat(item.getString("id")).startsWith("msg_");
      assertThat(item.getString("type")).isEqualTo("message");
      assertThat(item.getString("role")).isEqualTo("user");
    }
    assertThat(list.getString("first_id")).isEqualTo(data.getJsonObject(0).getString("id"));
    assertThat(list.getString("last_id")).isEqualTo(data.getJsonObject(2).getString("id"));
    // the same ids every time
    assertThat(new JsonObject(api.get("/v1/responses/" + id + "/input_items", KEY).body()).getJsonArray("data"))
        .isEqualTo(data);
  }

  @Test
  void inputItemsPageWithOrderLimitAfterAndBefore() {
    JsonArray input = new JsonArray();
    for (String text : List.of("a", "b", "c", "d", "e")) {
      input.add(new JsonObject().put("role", "user").put("content", text));
    }
    String path = "/v1/responses/" + created(request(input)).getString("id") + "/input_items";

    JsonObject first = new JsonObject(api.get(path + "?order=asc&limit=2", KEY).body());
    assertThat(texts(first.getJsonArray("data"))).containsExactly("a", "b");
    assertThat(first.getBoolean("has_more")).isTrue();
    JsonObject second = new JsonObject(api.get(path + "?order=asc&limit=2&after=" + first.getString("last_id"),
        KEY).body());
    assertThat(texts(second.getJsonArray("data"))).containsExactly("c", "d");
    assertThat(second.getBoolean("has_more")).isTrue();
    JsonObject last = new JsonObject(api.get(path + "?order=asc&limit=2&after=" + second.getString("last_id"),
        KEY).body());
    assertThat(texts(last.getJsonArray("data"))).containsExactly("e");
    assertThat(last.getBoolean("has_more")).isFalse();
    JsonObject back = new JsonObject(api.get(path + "?order=asc&limit=2&before=" + second.getString("first_id"),
        KEY).body());
    assertThat(texts(back.getJsonArray("data"))).containsExactly("a", "b");
    assertThat(back.getBoolean("has_more")).isFalse();

    HttpResponse<String> badLimit = api.get(path + "?limit=0", KEY);
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badLimit.body()).getJsonObject("error").getString("param")).isEqualTo("limit");
    assertThat(api.get(path + "?order=sideways", KEY).statusCode()).isEqualTo(400);
  }

  private static List<String> texts(JsonArray items) {
    return items.stream().map(item -> ((JsonObject) item).getJsonArray("content").getJsonObject(0).getString("text"))
        .toList();
  }
}
