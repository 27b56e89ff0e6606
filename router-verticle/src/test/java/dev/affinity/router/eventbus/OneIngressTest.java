package dev.affinity.router.eventbus;

import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayRequest;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * HTTP and the event bus are one ingress: the same body makes the same {@link GatewayRequest} for the router, and
 * the same broken body the same error.
 */
class OneIngressTest {

  private static final String MASTER = "sk-one-ingress-master";

  private static BusGateway bus;
  private static TestGateway gateway;
  private static Vertx member;
  /** What the node's front ends sent the router, by request id. */
  private static final Map<String, GatewayRequest> routed = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    bus = BusGateway.start(MASTER, 10, baseUrl -> """
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "%s"}
        """.formatted(baseUrl));
    gateway = bus.gateway;
    member = bus.member;
    gateway.node().vertx().eventBus().addOutboundInterceptor(delivery -> {
      if (EventBusAddress.ROUTE.equals(delivery.message().address())
          && delivery.body() instanceof GatewayRequest request) {
        routed.put(request.requestId(), request);
      }
      delivery.next();
    });
  }

  @AfterAll
  static void stop() throws Exception {
    bus.close();
  }

  private static JsonObject body() {
    return new JsonObject().put("model", "sonnet").put("max_tokens", 10)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "be brief")
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "same body")));
  }

  private static HttpResponse<String> overHttp(JsonObject body) throws Exception {
    return gateway.post("/v1/messages", body.encode(), "x-api-key", MASTER, "content-type", "application/json",
        "anthropic-version", "2023-06-01", "anthropic-beta", "prompt-caching-2024-07-31");
  }

  private static JsonObject call(JsonObject body) {
    return new JsonObject().put("operation", "messages").put("body", body)
        .put("headers", new JsonObject().put("anthropic-version", "2023-06-01")
            .put("anthropic-beta", "prompt-caching-2024-07-31"));
  }

  @Test
  void theSameBodyMakesTheSameRequestForTheRouter() throws Exception {
    HttpResponse<String> http = overHttp(body());
    assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
    GatewayRequest fromHttp = routed.get(http.headers().firstValue("x-affinity-request-id").orElseThrow());

    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(body()),
        new DeliveryOptions().addHeader("x-api-key", MASTER))).body();
    assertThat(answer.getInteger("status")).isEqualTo(200);
    GatewayRequest fromBus = routed.get(answer.getString("request_id"));

    assertThat(fromHttp).isNotNull();
    assertThat(fromBus).isNotNull();
    assertThat(fromBus.operation()).isEqualTo(fromHttp.operation());
    assertThat(fromBus.model()).isEqualTo(fromHttp.model());
    assertThat(fromBus.stream()).isEqualTo(fromHttp.stream());
    assertThat(fromBus.tenant()).isEqualTo(fromHttp.tenant());
    assertThat(fromBus.headers()).isEqualTo(fromHttp.headers())
        .containsEntry("anthropic-beta", "prompt-caching-2024-07-31");
    assertThat(fromBus.body()).isEqualTo(fromHttp.body());
    assertThat(fromBus.json()).isEqualTo(fromHttp.json());
    assertThat(fromBus.caller().admin()).isEqualTo(fromHttp.caller().admin());
    assertThat(fromBus.caller().tenant()).isEqualTo(fromHttp.caller().tenant());
    // the prompt's keys were hashed by the ingress for both, and came out the same
    assertThat(fromHttp.prepared()).isNotNull();
    assertThat(fromBus.prepared()).usingRecursiveComparison().isEqualTo(fromHttp.prepared());
  }

  @Test
  void theSameBrokenBodyMakesTheSameError() throws Exception {
    List<JsonObject> broken = List.of(
        body().putNull("model"),
        body().put("model", 7),
        body().put("messages", "not a list"),
        body().put("messages", new JsonArray()),
        body().put("max_tokens", 0),
        body().put("stream", "yes"),
        new JsonObject().put("model", "sonnet").put("messages", body().getJsonArray("messages")));
    for (JsonObject body : broken) {
      HttpResponse<String> http = overHttp(body);
      JsonObject httpError = new JsonObject(http.body()).getJsonObject("error");
      Throwable failure = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER, call(body),
          new DeliveryOptions().addHeader("x-api-key", MASTER))));
      assertThat(failure).as(body.encode()).hasCauseInstanceOf(ReplyException.class);
      ReplyException bus = (ReplyException) failure.getCause();
      assertThat(bus.failureCode()).as(body.encode()).isEqualTo(http.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(bus.getMessage())).as(body.encode()).isEqualTo(httpError);
    }
  }
}
