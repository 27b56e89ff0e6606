package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.router.ingress.AnthropicRequestCheck;
import dev.affinity.router.ingress.CallerKeys;
import dev.affinity.router.ingress.OpenAiRequestCheck;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.node.NodeState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The router's public event-bus API for cluster members: a JSON request in, a JSON answer out, and for streams the
 * chunks sent to the caller's stream address with flow control ({@link EventBusStreamSender}). The same checks as
 * the HTTP ingress apply, the key first: a call carries the gateway key in its {@code x-api-key} (or
 * {@code authorization: Bearer}) message header, checked by {@link CallerKeys} as an HTTP request's is, before it is
 * admitted. Only registered cluster-wide when {@code server_settings.event_bus_api} is true. The same node limits apply too:
 * a call counts against {@code global_max_parallel_requests} until its answer (or stream) ends, and a draining node
 * refuses new calls and waits for those it serves.
 */
final class RemoteCalls {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger ACCESS = Logger.getLogger("affinity.access");

  private final RoutingVerticle router;
  private final EventBus eventBus;
  private final NodeState node;
  private final long timeoutMillis;
  private final CallerKeys keys;

  RemoteCalls(RoutingVerticle router, EventBus eventBus, NodeState node, long timeoutMillis, CallerKeys keys) {
    this.router = router;
    this.eventBus = eventBus;
    this.node = node;
    this.timeoutMillis = timeoutMillis;
    this.keys = keys;
  }

  void handle(Message<Object> message, JsonObject call) {
    if (!keys.admits(message.headers())) {
      RoutingVerticle.fail(message, GatewayError.authentication(
          "invalid key: send the gateway key in the x-api-key message header").toReplyException());
      return;
    }
    Access access = new Access("req_" + UUID.randomUUID().toString().replace("-", ""), System.nanoTime(),
        call.getValue("body") instanceof JsonObject body && body.getValue("model") instanceof String model
            ? model : null);
    if (node.draining()) {
      // Vert.x sends the caller's next try to another member's consumer (round robin)
      refuse(message, access, GatewayError.overloaded(
          "this gateway node is shutting down; send again and another node will answer"));
      return;
    }
    if (!node.tryAdmit()) {
      refuse(message, access, GatewayError.overloaded("this gateway node is serving " + node.maxInFlight()
          + " requests, its limit (general_settings.global_max_parallel_requests); retry shortly"));
      return;
    }
    serve(message, call, access).onComplete(done -> node.release());
  }

  /** An event-bus call as its access line names it: the request id, when it came, the model it asked for. */
  private record Access(String requestId, long startedAt, String model) {
  }

  /**
   * One {@code affinity.access} line per event-bus call, as the HTTP ingress writes one per request; the caller is
   * a cluster member, named {@code eventbus}.
   */
  private void logged(Access access, int status, String deployment, String route, GatewayError error) {
    if (error != null && deployment == null && (status >= 400 && status < 500 || status == 529)) {
      node.metrics().refused(status, error.type());
    }
    LogLine line = new LogLine().with("request", access.requestId()).with("client", "eventbus")
        .with("method", "SEND").with("path", EventBusAddress.ROUTER).with("status", status)
        .with("model", LogLine.clip(access.model(), 100)).with("deployment", deployment).with("route", route)
        .with("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - access.startedAt()));
    if (error != null) {
      line.with("error", error.type()).with("reason", LogLine.clip(error.message(), 300));
    }
    line.log(ACCESS, Level.INFO);
  }

  private void refuse(Message<Object> message, Access access, GatewayError error) {
    logged(access, error.status(), null, null, error);
    RoutingVerticle.fail(message, error.toReplyException());
  }

  /** Answers one admitted call; completes once the answer is over, a stream included. */
  private Future<Void> serve(Message<Object> message, JsonObject call, Access access) {
    Operation operation = switch (call.getString("operation", "messages").toLowerCase(Locale.ROOT)) {
      case "messages" -> Operation.MESSAGES;
      case "count_tokens" -> Operation.COUNT_TOKENS;
      case "chat_completions" -> Operation.CHAT_COMPLETIONS;
      default -> null;
    };
    if (operation == null) {
      refuse(message, access, GatewayError.invalidRequest(
          "operation: must be one of messages, count_tokens, chat_completions"));
      return Future.succeededFuture();
    }
    Object rawBody = call.getValue("body");
    if (!(rawBody instanceof JsonObject body)) {
      refuse(message, access, GatewayError.invalidRequest("body: must be a JSON object"));
      return Future.succeededFuture();
    }
    byte[] bytes = body.toBuffer().getBytes();
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException impossible) {
      refuse(message, access, GatewayError.invalidRequest("body: not valid JSON"));
      return Future.succeededFuture();
    }
    GatewayError invalid = operation.api() == ClientApi.OPENAI ? OpenAiRequestCheck.check(json)
        : AnthropicRequestCheck.check(json, operation);
    boolean stream = operation != Operation.COUNT_TOKENS && json.path("stream").asBoolean(false);
    String streamAddress = call.getString("stream_address");
    if (invalid == null && stream && (streamAddress == null || streamAddress.isBlank())) {
      invalid = GatewayError.invalidRequest("stream_address: required when the body asks to stream");
    }
    if (invalid != null) {
      refuse(message, access, invalid);
      return Future.succeededFuture();
    }
    Map<String, String> headers = new HashMap<>();
    JsonObject given = call.getJsonObject("headers", new JsonObject());
    given.forEach(header -> {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("anthropic-") && header.getValue() instanceof String value) {
        headers.put(name, value);
      }
    });
    String requestId = access.requestId();
    GatewayRequest request = new GatewayRequest(requestId, operation, json.get("model").asText(), stream,
        call.getString("tenant", "default"), headers, null, Buffer.buffer(bytes), json);
    return router.dispatch(request)
        .compose(reply -> answer(message, requestId, reply, streamAddress)
            .onComplete(done -> logged(access, reply.status(), reply.deploymentId(), reply.route(), null)),
            failure -> {
              GatewayError error = GatewayError.from(failure);
              logged(access, error.status(), null, null, error);
              RoutingVerticle.fail(message, failure);
              return Future.succeededFuture();
            });
  }

  private Future<Void> answer(Message<Object> message, String requestId, GatewayReply reply, String streamAddress) {
    JsonObject answer = new JsonObject()
        .put("status", reply.status())
        .put("headers", new JsonObject(new HashMap<>(reply.headers())))
        .put("deployment", reply.deploymentId())
        .put("route", reply.route())
        .put("request_id", requestId);
    if (reply.body() != null) {
      try {
        answer.put("body", Json.decodeValue(reply.body()));
      } catch (DecodeException notJson) {
        answer.put("body_text", reply.body().toString());
      }
      message.reply(answer);
      return Future.succeededFuture();
    }
    answer.put("stream", true);
    message.reply(answer);
    return new EventBusStreamSender(eventBus, streamAddress, reply.stream(), timeoutMillis).start();
  }
}
