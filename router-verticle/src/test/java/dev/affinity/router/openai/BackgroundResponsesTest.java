package dev.affinity.router.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.Response;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.router.EmulatedGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * OpenAI's background mode through the gateway with openai-java, on an emulator whose answers take 1.5 s: a background
 * response comes back {@code queued} with the gateway's id, is polled to its answer, or cancelled while it runs
 * (idempotently); a response made in the foreground cannot be cancelled; a background response's usage is booked to
 * the key that made it once it is read back finished; a key whose usage must be counted up front (a budget, a token
 * limit) cannot use background mode.
 */
class BackgroundResponsesTest {

  private static final String MASTER = "sk-background-master";

  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    upstream = gatewayOverSlowAnswers(MASTER, "{}");
  }

  /**
   * A gateway with {@code masterKey} and {@code router_settings} (YAML flow mapping) over one priced OpenAI deployment
   * of {@code gpt-4o}, on an emulator whose answers take 1.5 s.
   */
  static EmulatedGateway gatewayOverSlowAnswers(String masterKey, String routerSettings) throws Exception {
    return EmulatedGateway.start(Map.of("oa-1", "sk-oa-1"),
        options -> options.setLatency(new LatencyModel(1_500, 0, 0, 0)), base -> """
          general_settings: {master_key: %2$s}
          router_settings: %3$s
          model_list:
            - model_name: gpt-4o
              litellm_params: {model: openai/gpt-4o, api_key: sk-oa-1, api_base: "%1$s/v1"}
              model_info: {id: oa-1, input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001}
          """.formatted(base, masterKey, routerSettings));
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
  }

  private static OpenAIClient client() {
    return client(MASTER);
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(upstream.gateway().baseUrl() + "/v1").apiKey(key).maxRetries(0)
        .build();
  }

  private static Response inBackground(String input) {
    return client().responses().create(ResponseCreateParams.builder().model("gpt-4o").input(input).background(true)
        .build());
  }

  private static String status(Response response) {
    return response.status().orElseThrow().toString();
  }

  @Test
  void aBackgroundResponseIsPolledToItsAnswer() throws Exception {
    Response queued = inBackground("answer this later");
    assertThat(status(queued)).isEqualTo("queued");
    assertThat(queued.background()).contains(true);
    assertThat(ResponseIds.origin(queued.id())).as("the gateway's id").isPresent();

    Response done = completed(client(), queued.id());
    assertThat(status(done)).isEqualTo("completed");
    assertThat(done.id()).isEqualTo(queued.id());
    assertThat(done.output()).isNotEmpty();
    assertThat(done.usage().orElseThrow().outputTokens()).isPositive();
    // over: cancelling it now changes nothing
    assertThat(status(client().responses().cancel(queued.id()))).isEqualTo("completed");
  }

  @Test
  void aBackgroundResponseIsCancelledWhileItRuns() throws Exception {
    Response queued = inBackground("cancel this");
    Response cancelled = client().responses().cancel(queued.id());
    assertThat(status(cancelled)).isEqualTo("cancelled");
    assertThat(cancelled.id()).isEqualTo(queued.id());
    assertThat(status(client().responses().cancel(queued.id()))).as("idempotent").isEqualTo("cancelled");
    Thread.sleep(2_000); // past the time its answer would have come
    Response later = client().responses().retrieve(queued.id());
    assertThat(status(later)).isEqualTo("cancelled");
    assertThat(later.output()).isEmpty();
  }

  /**
   * A key held to a budget or a token limit cannot have its usage counted for a background response (its answer is
   * {@code queued}, without usage): refused, naming {@code background}, rather than let it spend past its budget.
   */
  @Test
  void aKeyWithABudgetOrTokenLimitIsRefusedBackgroundMode() throws Exception {
    for (JsonObject limits : List.of(new JsonObject().put("max_budget", 1.0), new JsonObject().put("tpm_limit", 10_000),
        new JsonObject().put("team_id", team(new JsonObject().put("max_budget", 5.0))))) {
      String key = key(limits);
      BadRequestException refused = catchThrowableOfType(() -> client(key).responses().create(
          ResponseCreateParams.builder().model("gpt-4o").input("x").background(true).build()),
          BadRequestException.class);
      assertThat(refused).as(limits.encode()).isNotNull();
      assertThat(refused.getMessage()).contains("background").contains("max_budget");
      assertThat(status(client(key).responses().create(ResponseCreateParams.builder().model("gpt-4o").input("x")
          .build()))).as("in the foreground").isEqualTo("completed");
    }
    String unlimited = key(new JsonObject().put("rpm_limit", 100));
    assertThat(status(client(unlimited).responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .input("x").background(true).build()))).isEqualTo("queued");
  }

  /**
   * A background response's answer has no usage: the call that made it is booked when the response is read back
   * finished, to the key that made it (whoever reads it), once however often it is read.
   */
  @Test
  void aBackgroundResponsesUsageIsBookedOnceToTheKeyThatMadeIt() throws Exception {
    String maker = key(new JsonObject().put("rpm_limit", 1_000));
    String reader = key(new JsonObject());
    Response queued = client(maker).responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .input("count these tokens later").background(true).build());
    assertThat(status(queued)).isEqualTo("queued");
    Thread.sleep(300);
    assertThat(spend(maker)).as("nothing is known yet").isZero();

    Response done = completed(client(reader), queued.id());
    assertThat(status(done)).isEqualTo("completed");
    assertThat(done.usage().orElseThrow().outputTokens()).isPositive();
    double booked = awaitSpend(maker);
    assertThat(booked).as("booked to the key that made it").isPositive();
    assertThat(spend(reader)).as("not to the key that read it").isZero();

    client(maker).responses().retrieve(queued.id());
    client(reader).responses().cancel(queued.id());
    Thread.sleep(500);
    assertThat(spend(maker)).as("once").isEqualTo(booked);

    // a foreground response is booked with its answer, and reading it back adds nothing
    String foreground = key(new JsonObject());
    Response answered = client(foreground).responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .input("count these tokens now").build());
    double once = awaitSpend(foreground);
    client(foreground).responses().retrieve(answered.id());
    Thread.sleep(500);
    assertThat(spend(foreground)).isEqualTo(once);
  }

  /**
   * A background response streamed: its client may leave the stream, and the response runs on upstream. Its usage is
   * booked to the key that made it once it is read back finished, as a background response answered {@code queued}
   * is; one whose client stayed is booked from its stream, once.
   */
  @Test
  void aStreamedBackgroundResponseWhoseClientLeftIsBookedWhenReadBack() throws Exception {
    String maker = key(new JsonObject().put("rpm_limit", 1_000));
    ResponseStreamEvent first = leftAfterTheFirstEvent(maker, "stream this, I may not stay");
    String id = first.asCreated().response().id();
    assertThat(status(first.asCreated().response())).isEqualTo("queued");
    assertThat(ResponseIds.origin(id)).as("the gateway's id").isPresent();
    Thread.sleep(300);
    assertThat(spend(maker)).as("nothing is known yet").isZero();

    Response done = completed(client(), id);
    assertThat(status(done)).as("it ran on without its client").isEqualTo("completed");
    double booked = awaitSpend(maker);
    assertThat(booked).as("booked to the key that made it when read back").isPositive();

    String stayed = key(new JsonObject());
    String kept;
    try (StreamResponse<ResponseStreamEvent> stream = client(stayed).responses().createStreaming(
        ResponseCreateParams.builder().model("gpt-4o").input("stream this, I stay").background(true).build())) {
      List<ResponseStreamEvent> events = stream.stream().toList();
      assertThat(events.get(events.size() - 1).isCompleted()).isTrue();
      kept = events.get(0).asCreated().response().id();
    }
    double once = awaitSpend(stayed);
    assertThat(once).as("booked from its stream").isPositive();
    client().responses().retrieve(kept);
    Thread.sleep(500);
    assertThat(spend(stayed)).as("once").isEqualTo(once);
  }

  /**
   * A client that lost a background response's stream resumes it through the gateway (openai-java's
   * {@code retrieveStreaming} with {@code starting_after}): the events after the one it saw, with the gateway's ids,
   * to the end; the end's usage books the call that made it, to the key that made it.
   */
  @Test
  void aLostBackgroundStreamIsResumedAndItsEndBooksTheCall() throws Exception {
    String maker = key(new JsonObject().put("rpm_limit", 1_000));
    String id = leftAfterTheFirstEvent(maker, "I will come back for this").asCreated().response().id();
    Thread.sleep(300);
    assertThat(spend(maker)).as("nothing is known yet").isZero();

    List<ResponseStreamEvent> rest;
    try (StreamResponse<ResponseStreamEvent> resumed = client(maker).responses().retrieveStreaming(id,
        ResponseRetrieveParams.builder().startingAfter(0L).build())) {
      rest = resumed.stream().toList();
    }
    assertThat(rest).isNotEmpty();
    assertThat(rest.get(0).isQueued()).as("the event after response.created").isTrue();
    assertThat(rest.get(0).asQueued().response().id()).as("the gateway's id").isEqualTo(id);
    ResponseStreamEvent last = rest.get(rest.size() - 1);
    assertThat(last.isCompleted()).isTrue();
    assertThat(last.asCompleted().response().id()).isEqualTo(id);
    assertThat(last.asCompleted().response().usage().orElseThrow().outputTokens()).isPositive();
    assertThat(awaitSpend(maker)).as("booked by the resumed stream's end").isPositive();
  }

  /** The response read back through {@code client} once it is completed, or as it is after 15 seconds. */
  private static Response completed(OpenAIClient client, String id) throws InterruptedException {
    Response done = client.responses().retrieve(id);
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!status(done).equals("completed") && System.nanoTime() < deadline) {
      Thread.sleep(200);
      done = client.responses().retrieve(id);
    }
    return done;
  }

  /** The first event of a background response streamed for {@code key}, whose client then leaves. */
  private static ResponseStreamEvent leftAfterTheFirstEvent(String key, String input) {
    try (StreamResponse<ResponseStreamEvent> stream = client(key).responses().createStreaming(
        ResponseCreateParams.builder().model("gpt-4o").input(input).background(true).build())) {
      return stream.stream().findFirst().orElseThrow();
    }
  }

  private static double spend(String key) throws Exception {
    return upstream.gateway().keySpend(key, MASTER);
  }

  /** The key's spend once it shows a call: booked when the answer ends, off the request's path. */
  private static double awaitSpend(String key) throws Exception {
    double spend = 0;
    for (int i = 0; i < 100 && spend <= 0; i++) {
      Thread.sleep(50);
      spend = spend(key);
    }
    return spend;
  }

  private static String key(JsonObject fields) throws Exception {
    return upstream.gateway().admin("/key/generate", fields, MASTER).getString("key");
  }

  private static String team(JsonObject fields) throws Exception {
    return upstream.gateway().admin("/team/new", fields, MASTER).getString("team_id");
  }

  @Test
  void aForegroundResponseCannotBeCancelled() {
    Response answered = client().responses().create(ResponseCreateParams.builder().model("gpt-4o").input("now")
        .build());
    BadRequestException refused = catchThrowableOfType(() -> client().responses().cancel(answered.id()),
        BadRequestException.class);
    assertThat(refused).isNotNull();
    assertThat(refused.getMessage()).contains("background");
  }
}
