package dev.affinity.router.reliability;

import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Cluster members calling the router over the event bus are held to the node's limits as HTTP clients are: a call
 * counts against {@code global_max_parallel_requests} until its stream ends, and a draining node refuses new calls
 * while it waits for the streams it serves.
 */
class EventBusCallerLimitsTest {

  private static final String KEY = "sk-bus-master";
  /** Event-bus callers present the gateway key in a message header, as HTTP clients do in theirs. */
  private static final DeliveryOptions WITH_KEY = new DeliveryOptions().addHeader("x-api-key", KEY);

  private Vertx vertx;
  private HoldingUpstream upstream;
  private TestGateway gateway;
  private Vertx member;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = await(HoldingUpstream.start(vertx));
    String cluster = "eventbus-limits-" + UUID.randomUUID();
    gateway = TestGateway.start("""
        general_settings: {global_max_parallel_requests: 1, master_key: %s}
        server_settings: {event_bus_api: true}
        model_list:
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
        """.formatted(KEY, upstream.baseUrl()), cluster);
    member = TestGateway.clusterMember(cluster);
  }

  @AfterEach
  void stop() throws Exception {
    upstream.release();
    await(member.close());
    gateway.close();
    await(upstream.close());
    await(vertx.close());
  }

  @Test
  @Timeout(60)
  void aStreamOverTheEventBusCountsAgainstTheNodeLimitUntilItEnds() throws Exception {
    Future<String> held = stream();
    awaitHolding();
    assertThat(gateway.node().state().inFlight()).isEqualTo(1);

    ReplyException refused = refusal(member.eventBus().request(EventBusAddress.ROUTER, call(false), WITH_KEY));
    assertThat(refused.failureCode()).isEqualTo(529);
    assertThat(new JsonObject(refused.getMessage()).getString("type")).isEqualTo("overloaded_error");
    assertThat(new JsonObject(refused.getMessage()).getString("message"))
        .contains("global_max_parallel_requests");
    HttpResponse<String> overHttp = gateway.post("/v1/messages", call(false).getJsonObject("body").encode(),
        "anthropic-version", "2023-06-01", "x-api-key", KEY);
    assertThat(overHttp.statusCode()).as("the same count as HTTP clients").isEqualTo(529);

    upstream.release();
    assertThat(await(held)).contains("event: message_stop");
    awaitInFlight(0);
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(false), WITH_KEY))
        .body();
    assertThat(answer.getInteger("status")).as("served again once the stream ended").isEqualTo(200);
    awaitInFlight(0);
  }

  @Test
  @Timeout(60)
  void aDrainingNodeRefusesNewEventBusCallsAndWaitsForTheStreamItServes() throws Exception {
    Future<String> held = stream();
    awaitHolding();

    Future<Integer> drained = gateway.node().drain(Duration.ofSeconds(30));
    ReplyException refused = refusal(member.eventBus().request(EventBusAddress.ROUTER, call(false), WITH_KEY));
    assertThat(refused.failureCode()).isEqualTo(529);
    assertThat(new JsonObject(refused.getMessage()).getString("message")).contains("shutting down");
    assertThat(drained.isComplete()).as("the drain waits for the stream").isFalse();

    upstream.release();
    assertThat(await(held)).contains("event: message_stop");
    assertThat(await(drained)).as("nothing was cut off").isZero();
  }

  /** Opens a streamed call from the member; completes with the events once the end marker arrives. */
  private Future<String> stream() throws Exception {
    String address = "test.stream." + UUID.randomUUID();
    Future<String> ended = TestGateway.streamReceiver(member, address);
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER,
        call(true).put("stream_address", address), WITH_KEY)).body();
    assertThat(answer.getBoolean("stream")).isTrue();
    return ended;
  }

  private static JsonObject call(boolean stream) {
    return new JsonObject().put("headers", new JsonObject().put("anthropic-version", "2023-06-01"))
        .put("body", new JsonObject().put("model", "held").put("max_tokens", 10).put("stream", stream)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
  }

  private static ReplyException refusal(Future<?> call) {
    Throwable failure = catchThrowable(() -> await(call));
    assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ReplyException.class);
    return (ReplyException) failure.getCause();
  }

  private void awaitHolding() throws InterruptedException {
    for (int i = 0; i < 1_500 && upstream.holding() < 1; i++) {
      Thread.sleep(20);
    }
    assertThat(upstream.holding()).isEqualTo(1);
  }

  private void awaitInFlight(int expected) throws InterruptedException {
    for (int i = 0; i < 1_500 && gateway.node().state().inFlight() != expected; i++) {
      Thread.sleep(20);
    }
    assertThat(gateway.node().state().inFlight()).isEqualTo(expected);
  }
}
