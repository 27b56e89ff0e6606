package dev.affinity.router.ingress;

import dev.affinity.model.Caller;
import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.Operation;
import dev.affinity.model.RouteKind;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.routing.NodeRouter;
import dev.affinity.router.tenancy.Identity;
import dev.affinity.router.tenancy.Tenancy;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event-bus face of a node, for services in the Vert.x cluster (docs/eventbus.md): a JSON call in on
 * {@link EventBusAddress#ROUTER}, a JSON answer out, and for streams the chunks sent to the caller's stream address
 * with flow control ({@link EventBusStreamSender}). Everything else is the {@link IngressPipeline} HTTP requests
 * take: the node's admission, the key in the {@code x-api-key} (or {@code authorization: Bearer}) message header,
 * master or virtual with the same models, limits, budgets and spend, the same checks and the same request. Deployed
 * only when {@code server_settings.event_bus_api} is true.
 */
public final class EventBusVerticle extends VerticleBase {

  private static final Logger ACCESS = Logger.getLogger("affinity.access");
  private static final String UNAUTHORIZED = "invalid key: send the gateway key in the x-api-key message header";
  /** The call's fields besides {@code body}, by JSON type ({@link #mistyped}). */
  private static final List<String> STRING_FIELDS = List.of("operation", "tenant", "stream_address", "response_id");
  private static final List<String> OBJECT_FIELDS = List.of("headers", "query");

  private final GatewayConfig config;
  private final NodeState node;
  private final IngressPipeline ingress;
  private final NodeRouter router;

  /**
   * @param tenancy the node's virtual keys and teams, or null when there are none
   * @param router  the node's router, which every accepted call goes to
   */
  public EventBusVerticle(GatewayConfig config, NodeState node, Tenancy tenancy, NodeRouter router) {
    this.router = router;
    this.config = config;
    this.node = node;
    this.ingress = new IngressPipeline(config, node, tenancy);
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer(EventBusAddress.ROUTER, this::handle).completion();
  }

  /** An event-bus call as its access line names it. */
  private static final class Access {
    final String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    final long startedAt = System.nanoTime();
    String model;
    Caller caller;
  }

  private void handle(Message<Object> message) {
    Access access = new Access();
    if (!(message.body() instanceof JsonObject call)) {
      refuse(message, access, GatewayError.invalidRequest("expected a JSON object"));
      return;
    }
    access.model = call.getValue("body") instanceof JsonObject body && body.getValue("model") instanceof String model
        ? model : null;
    GatewayError mistyped = mistyped(call);
    if (mistyped != null) {
      refuse(message, access, mistyped);
      return;
    }
    ingress.identify(message.headers(), "eventbus", context).onComplete(identified -> {
      if (identified.failed()) {
        refuse(message, access, IngressPipeline.refusal(identified.cause(), UNAUTHORIZED));
        return;
      }
      access.caller = identified.result().caller();
      // Vert.x sends the caller's next try to another member's consumer (round robin)
      GatewayError refused = ingress.admit();
      if (refused != null) {
        refuse(message, access, refused);
        return;
      }
      serve(message, call, identified.result(), access).onComplete(done -> ingress.release());
    });
  }

  /**
   * A call field of the wrong JSON type, as a 400 naming it; null when there is none. Checked before anything reads
   * them: a wrong type would otherwise throw in the handler, and the caller would get no answer until its timeout.
   */
  private static GatewayError mistyped(JsonObject call) {
    for (String field : STRING_FIELDS) {
      Object value = call.getValue(field);
      if (value != null && !(value instanceof String)) {
        return GatewayError.invalidField(field, field + ": must be a string");
      }
    }
    for (String field : OBJECT_FIELDS) {
      Object value = call.getValue(field);
      if (value != null && !(value instanceof JsonObject)) {
        return GatewayError.invalidField(field, field + ": must be a JSON object");
      }
    }
    return null;
  }

  /** Answers one admitted call; completes once the answer is over, a stream included. */
  private Future<Void> serve(Message<Object> message, JsonObject call, Identity identity, Access access) {
    Operation operation = switch (call.getString("operation", "messages").toLowerCase(Locale.ROOT)) {
      case "messages" -> Operation.MESSAGES;
      case "count_tokens" -> Operation.COUNT_TOKENS;
      case "chat_completions" -> Operation.CHAT_COMPLETIONS;
      case "responses" -> Operation.RESPONSES;
      case "response_retrieve" -> Operation.RESPONSE_RETRIEVE;
      case "response_delete" -> Operation.RESPONSE_DELETE;
      case "response_cancel" -> Operation.RESPONSE_CANCEL;
      case "response_input_items" -> Operation.RESPONSE_INPUT_ITEMS;
      default -> null;
    };
    if (operation == null) {
      refuse(message, access, GatewayError.invalidRequest("operation: must be one of messages, count_tokens,"
          + " chat_completions, responses, response_retrieve, response_delete, response_cancel, response_input_items"));
      return Future.succeededFuture();
    }
    if (operation.onStoredResponse()) {
      return serveStored(message, call, operation, identity, access);
    }
    if (!(call.getValue("body") instanceof JsonObject body)) {
      refuse(message, access, GatewayError.invalidRequest("body: must be a JSON object"));
      return Future.succeededFuture();
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    call.getJsonObject("headers", new JsonObject()).forEach(header -> {
      if (header.getValue() instanceof String value) {
        headers.add(header.getKey(), value);
      }
    });
    // the call's body was decoded from the wire: encoded once, and parsed in place from those bytes
    Buffer bytes = body.toBuffer();
    // as over HTTP; the event bus's frame guard cut off anything past this limit plus 1 MiB before it was read
    if (bytes.length() > config.general().maxRequestBytes()) {
      refuse(message, access, GatewayError.tooLarge("request body exceeds the " + config.general().maxRequestBytes()
          + " byte limit"));
      return Future.succeededFuture();
    }
    IngressPipeline.Inbound inbound = new IngressPipeline.Inbound(access.requestId, operation, null, bytes,
        headers, null, call.getString("tenant"));
    return routed(message, access, ingress.accept(inbound, identity, context), call.getString("stream_address"));
  }

  /**
   * An operation on a stored response: {@code response_id} names it, {@code query} holds what the HTTP query string
   * would (a string, number or boolean per parameter, or an array of them for {@code include}), held to the same
   * parameters ({@link StoredResponseQuery}).
   */
  private Future<Void> serveStored(Message<Object> message, JsonObject call, Operation operation, Identity identity,
                                   Access access) {
    if (!(call.getValue("response_id") instanceof String id) || id.isBlank()) {
      refuse(message, access, GatewayError.invalidField("response_id", "response_id: required, the response's id"));
      return Future.succeededFuture();
    }
    Object given = call.getValue("query");
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    String query;
    try {
      if (given instanceof JsonObject object) {
        object.forEach(param -> queryValues(param.getKey(), param.getValue()).forEach(value ->
            params.add(param.getKey(), value)));
      }
      query = StoredResponseQuery.upstream(operation, params);
    } catch (GatewayErrorException invalid) {
      refuse(message, access, invalid.error());
      return Future.succeededFuture();
    }
    // a streamed retrieve (resuming a background response's stream) sends its events to stream_address
    return routed(message, access, ingress.acceptStored(access.requestId, operation, id, query,
        StoredResponseQuery.streamed(operation, params), identity, context), call.getString("stream_address"));
  }

  /** A query parameter's values as the HTTP query string would carry them. */
  private static List<String> queryValues(String name, Object value) {
    if (value instanceof JsonArray array) {
      List<String> values = new ArrayList<>();
      array.forEach(item -> values.addAll(queryValues(name, item)));
      return values;
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return List.of(String.valueOf(value));
    }
    throw GatewayError.invalidField(name, "query." + LogLine.clip(name, 60)
        + ": must be a string, number or boolean, or an array of them").toReplyException();
  }

  /** Once the ingress has accepted (or refused) the call: to the router, and its answer to the caller. */
  private Future<Void> routed(Message<Object> message, Access access, Future<IngressPipeline.Accepted> acceptance,
                              String streamAddress) {
    return acceptance.transform(accepted -> {
      if (accepted.failed()) {
        refuse(message, access, IngressPipeline.refusal(accepted.cause(), UNAUTHORIZED));
        return Future.succeededFuture();
      }
      Runnable release = accepted.result().releaser();
      if (accepted.result().request().stream() && (streamAddress == null || streamAddress.isBlank())) {
        release.run();
        refuse(message, access, GatewayError.invalidRequest("stream_address: required when the body asks to stream"));
        return Future.succeededFuture();
      }
      return router.route(accepted.result().request())
          .transform(replied -> {
            if (replied.failed()) {
              refuse(message, access, GatewayError.from(replied.cause()));
              return Future.<Void>succeededFuture();
            }
            GatewayReply reply = replied.result();
            return answer(message, access.requestId, reply, streamAddress)
                .onComplete(done -> logged(access, reply.status(), reply.deploymentId(), reply.route(), null));
          })
          .onComplete(over -> release.run());
    });
  }

  private Future<Void> answer(Message<Object> message, String requestId, GatewayReply reply, String streamAddress) {
    JsonObject answer = new JsonObject()
        .put("status", reply.status())
        .put("headers", new JsonObject(new HashMap<>(reply.headers())))
        .put("deployment", reply.deploymentId())
        .put("route", RouteKind.labelOf(reply.route()))
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
    return new EventBusStreamSender(vertx.eventBus(), streamAddress, reply.stream(),
        config.router().timeout().toMillis()).start();
  }

  /** Fails the call as docs/eventbus.md says: the status as failure code, {@code {"type","message"}} as message. */
  private void refuse(Message<Object> message, Access access, GatewayError error) {
    logged(access, error.status(), null, null, error);
    message.fail(error.status(), error.toEventBusJson().encode());
  }

  /**
   * One {@code affinity.access} line per event-bus call, as the HTTP ingress writes one per request; the client is
   * a cluster member, named {@code eventbus}.
   */
  private void logged(Access access, int status, String deployment, RouteKind route, GatewayError error) {
    AccessLog.line(node.metrics(), access.requestId, "eventbus", "SEND", EventBusAddress.ROUTER, status,
        access.model, deployment, route, access.startedAt, error, access.caller).log(ACCESS, Level.INFO);
  }
}
