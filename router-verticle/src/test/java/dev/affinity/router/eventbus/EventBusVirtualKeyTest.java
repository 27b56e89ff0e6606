package dev.affinity.router.eventbus;

import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A virtual key works on the event bus as over HTTP: the same limits (a 429 naming the limit), model access and
 * spend; an unknown or blocked key is refused there too (issue 14).
 */
class EventBusVirtualKeyTest {

  private static final String MASTER = "sk-bus-tenancy-master";

  private static BusGateway bus;
  private static TestGateway gateway;
  private static Vertx member;

  @BeforeAll
  static void start() throws Exception {
    bus = BusGateway.start(MASTER, 20, baseUrl -> """
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "%s"}
          - model_name: haiku
            litellm_params: {model: anthropic/claude-haiku-4-5, api_key: sk-acct, api_base: "%s"}
        """.formatted(baseUrl, baseUrl));
    gateway = bus.gateway;
    member = bus.member;
  }

  @AfterAll
  static void stop() throws Exception {
    bus.close();
  }

  private static String newKey(JsonObject fields) throws Exception {
    HttpResponse<String> generated = gateway.post("/key/generate", fields.encode(), "x-api-key", MASTER,
        "content-type", "application/json");
    assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
    return new JsonObject(generated.body()).getString("key");
  }

  private static JsonObject call(String model) {
    return new JsonObject().put("operation", "messages")
        .put("body", new JsonObject().put("model", model).put("max_tokens", 20)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi bus"))));
  }

  private static Future<JsonObject> send(JsonObject call, String key) {
    return member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call,
        new DeliveryOptions().addHeader("x-api-key", key)).map(reply -> reply.body());
  }

  private static ReplyException refusal(Future<?> call) {
    Throwable failure = catchThrowable(() -> await(call));
    assertThat(failure).as("the call must be refused").isNotNull().hasCauseInstanceOf(ReplyException.class);
    return (ReplyException) failure.getCause();
  }

  @Test
  void aVirtualKeyIsHeldToItsRpmLimitAndItsSpendIsBooked() throws Exception {
    String key = newKey(new JsonObject().put("key_alias", "bus-" + UUID.randomUUID()).put("rpm_limit", 2));
    JsonObject first = await(send(call("sonnet"), key));
    assertThat(first.getInteger("status")).isEqualTo(200);
    // a tenant is not told where its prompt went, on the bus as over HTTP... the answer still names the request
    assertThat(first.getString("request_id")).startsWith("req_");
    assertThat(await(send(call("sonnet"), key)).getInteger("status")).isEqualTo(200);

    Future<JsonObject> thirdCall = send(call("sonnet"), key);
    Future<JsonObject> attempt = thirdCall;
    if (catchThrowable(() -> await(attempt)) == null) {
      // the minute turned between the calls (rpm counts in calendar minutes): a new window, so two more pass first
      await(send(call("sonnet"), key));
      thirdCall = send(call("sonnet"), key);
    }
    ReplyException third = refusal(thirdCall);
    assertThat(third.failureCode()).isEqualTo(429);
    JsonObject error = new JsonObject(third.getMessage());
    assertThat(error.getString("type")).isEqualTo("rate_limit_error");
    assertThat(error.getString("message")).contains("rpm_limit 2");

    // the cost is booked when the answer ends, off the request path: wait until the key's spend shows it
    double spend = TestGateway.eventually(() -> {
      try {
        return new JsonObject(gateway.get("/key/info?key=" + key, "x-api-key", MASTER).body())
            .getJsonObject("info").getDouble("spend");
      } catch (Exception unreadable) {
        throw new IllegalStateException(unreadable);
      }
    }, booked -> booked > 0);
    assertThat(spend).isPositive();
  }

  @Test
  void aVirtualKeyReachesOnlyItsModels() throws Exception {
    String key = newKey(new JsonObject().put("models", new JsonArray().add("haiku")));
    assertThat(await(send(call("haiku"), key)).getInteger("status")).isEqualTo(200);
    ReplyException refused = refusal(send(call("sonnet"), key));
    assertThat(refused.failureCode()).isEqualTo(403);
    assertThat(new JsonObject(refused.getMessage()).getString("message")).contains("sonnet");
  }

  @Test
  void unknownAndBlockedKeysAreRefused() throws Exception {
    ReplyException unknown = refusal(send(call("sonnet"), "sk-never-issued-" + UUID.randomUUID()));
    assertThat(unknown.failureCode()).isEqualTo(401);
    assertThat(new JsonObject(unknown.getMessage()).getString("type")).isEqualTo("authentication_error");

    String key = newKey(new JsonObject());
    assertThat(await(send(call("sonnet"), key)).getInteger("status")).isEqualTo(200);
    HttpResponse<String> blocked = gateway.post("/key/update", new JsonObject().put("key", key).put("blocked", true)
        .encode(), "x-api-key", MASTER, "content-type", "application/json");
    assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(200);
    ReplyException refused = refusal(send(call("sonnet"), key));
    assertThat(refused.failureCode()).isEqualTo(401);
    assertThat(new JsonObject(refused.getMessage()).getString("message")).contains("blocked");
  }
}
