package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.router.ingress.AnthropicRequestCheck;
import dev.affinity.router.ingress.CallerKeys;
import dev.affinity.router.ingress.OpenAiRequestCheck;
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
    if (node.draining()) {
      // Vert.x sends the caller's next try to another member's consumer (round robin)
      RoutingVerticle.fail(message, GatewayError.overloaded(
          "this gateway node is shutting down; send again and another node will answer").toReplyException());
      return;
    }
    if (!node.tryAdmit()) {
      RoutingVerticle.fail(message, GatewayError.overloaded("this gateway node is serving " + node.maxInFlight()
          + " requests, its limit (general_settings.global_max_parallel_requests); retry shortly")
          .toReplyException());
      return;
    }
    serve(message, call).onComplete(done -> node.release());
  }

  /** Answers one admitted call; completes once the answer is over, a stream included. */
  private Future<Void> serve(Message<Object> message, JsonObject call) {
    Operation operation = switch (call.getString("operation", "messages").toLowerCase(Locale.ROOT)) {
      case "messages" -> Operation.MESSAGES;
      case "count_tokens" -> Operation.COUNT_TOKENS;
      case "chat_completions" -> Operation.CHAT_COMPLETIONS;
      default -> null;
    };
    if (operation == null) {
      RoutingVerticle.fail(message, GatewayError.invalidRequest(
          "operation: must be one of messages, count_tokens, chat_completions").toReplyException());
      return Future.succeededFuture();
    }
    Object rawBody = call.getValue("body");
    if (!(rawBody instanceof JsonObject body)) {
      RoutingVerticle.fail(message, GatewayError.invalidRequest("body: must be a JSON object").toReplyException());
      return Future.succeededFuture();
    }
    byte[] bytes = body.toBuffer().getBytes();
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException impossible) {
      RoutingVerticle.fail(message, GatewayError.invalidRequest("body: not valid JSON").toReplyException());
      return Future.succeededFuture();
    }
    GatewayError invalid = operation.api() == Operation.ClientApi.OPENAI ? OpenAiRequestCheck.check(json)
        : AnthropicRequestCheck.check(json, operation);
    boolean stream = operation != Operation.COUNT_TOKENS && json.path("stream").asBoolean(false);
    String streamAddress = call.getString("stream_address");
    if (invalid == null && stream && (streamAddress == null || streamAddress.isBlank())) {
      invalid = GatewayError.invalidRequest("stream_address: required when the body asks to stream");
    }
    if (invalid != null) {
      RoutingVerticle.fail(message, invalid.toReplyException());
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
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    GatewayRequest request = new GatewayRequest(requestId, operation, json.get("model").asText(), stream,
        call.getString("tenant", "default"), headers, null, Buffer.buffer(bytes), json);
    return router.dispatch(request)
        .compose(reply -> answer(message, requestId, reply, streamAddress), failure -> {
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
