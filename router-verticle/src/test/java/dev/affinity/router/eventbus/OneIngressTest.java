package dev.affinity.router.eventbus;

import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.TestGateway;
import dev.affinity.router.ingress.ClientConnections;
import dev.affinity.router.ingress.EventBusVerticle;
import dev.affinity.router.ingress.HttpVerticle;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.observe.GatewayMetrics;
import dev.affinity.router.routing.NodeRouter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * HTTP and the event bus are one ingress: the same body makes the same {@link GatewayRequest} for the router, and
 * the same broken body the same error. Both front ends run over a router that records what it is given.
 */
class OneIngressTest {

  private static final String MASTER = "sk-one-ingress-master";

  private static Vertx vertx;
  private static int port;
  /** What the node's front ends sent the router, by request id. */
  private static final Map<String, GatewayRequest> routed = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        general_settings: {master_key: %s}
        server_settings: {event_bus_api: true}
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "http://127.0.0.1:9"}
        """.formatted(MASTER), Map.of());
    NodeState node = new NodeState(100);
    node.metrics(new GatewayMetrics(config));
    NodeRouter recording = request -> {
      routed.put(request.requestId(), request);
      return Future.succeededFuture(new GatewayReply(200, Map.of("content-type", "application/json"),
          Buffer.buffer("{\"type\":\"message\"}"), null, "sonnet-1", null));
    };
    vertx = Vertx.vertx();
    port = TestGateway.freePort();
    await(vertx.deployVerticle(new HttpVerticle(config, node, new ClientConnections(100), "127.0.0.1", port, null,
        recording)));
    await(vertx.deployVerticle(new EventBusVerticle(config, node, null, recording)));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static JsonObject body() {
    return new JsonObject().put("model", "sonnet").put("max_tokens", 10)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "be brief")
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "same body")));
  }

  private static HttpResponse<String> overHttp(JsonObject body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/messages"))
        .header("x-api-key", MASTER).header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01").header("anthropic-beta", "prompt-caching-2024-07-31")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
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

    JsonObject answer = await(vertx.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(body()),
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
      Throwable failure = catchThrowable(() -> await(vertx.eventBus().request(EventBusAddress.ROUTER, call(body),
          new DeliveryOptions().addHeader("x-api-key", MASTER))));
      assertThat(failure).as(body.encode()).hasCauseInstanceOf(ReplyException.class);
      ReplyException bus = (ReplyException) failure.getCause();
      assertThat(bus.failureCode()).as(body.encode()).isEqualTo(http.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(bus.getMessage())).as(body.encode()).isEqualTo(httpError);
    }
  }
}
