package dev.affinity.router.ingress;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.affinity.model.BodyStream;
import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.LocalCodec;
import dev.affinity.model.Operation;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ServerSettings;
import dev.affinity.router.cache.SessionKey;
import dev.affinity.router.node.Listener;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.observe.MetricsVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP face of a node: authenticates, parses and checks requests, sends them to the router over the local event
 * bus, and writes the answer back — complete, or streamed event by event with back-pressure.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  static {
    // bound what a hostile body can make the parser do: deep nesting is refused before it costs stack
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build());
  }

  /** Where admit() leaves the body deadline's timer, for relay() to cancel once the body is in. */
  private static final String BODY_TIMER = "affinity.body-timer";

  private final GatewayConfig config;
  private final NodeState node;
  private final ClientConnections connections;
  private final CallerKeys keys;
  private final RequestOrigin origin;
  private final String host;
  private final int port;
  /** Connections whose first request head has not arrived yet, with their deadline timer (this event loop only). */
  private final Map<HttpConnection, Long> awaitingHead = new HashMap<>();
  private HttpServer server;

  public HttpVerticle(GatewayConfig config, NodeState node, ClientConnections connections, String host, int port) {
    this.config = config;
    this.node = node;
    this.connections = connections;
    this.keys = new CallerKeys(config.general().masterKey());
    this.origin = new RequestOrigin(config.server().allowedHosts(), Listener.loopback(host), keys.keyRequired());
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx.eventBus());
    Router router = Router.router(vertx);
    // first, so that every request is logged, those refused before their body is read included
    AccessLog accessLog = new AccessLog(node.metrics());
    router.route().handler((PlatformHandler) accessLog::begin);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.general().maxRequestBytes());
    // the key, then admission, then the body: a keyless or refused request costs no slot and no buffering, so both
    // checks are platform-level (they run before BodyHandler)
    PlatformHandler authenticate = this::authenticate;
    router.route().handler((PlatformHandler) this::checkOrigin);
    PlatformHandler admit = this::admit;
    router.post("/v1/messages").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.MESSAGES));
    router.post("/v1/messages/count_tokens").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.COUNT_TOKENS));
    router.post("/v1/chat/completions").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.CHAT_COMPLETIONS));
    router.post("/chat/completions").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.CHAT_COMPLETIONS));
    router.get("/v1/models").handler(authenticate).handler(this::models);
    router.get("/health/liveliness").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "alive")));
    router.get("/health/readiness").handler(this::readiness);
    router.get("/affinity/pins").handler(ctx -> admin(ctx, "pins"));
    router.delete("/affinity/pins").handler(ctx -> admin(ctx, "clear-pins"));
    router.get("/affinity/stats").handler(ctx -> admin(ctx, "stats"));
    router.get("/metrics").handler(this::metrics);
    router.route().last().handler(ctx -> error(ctx, GatewayError.notFound(
        ctx.request().method() + " " + ctx.request().path() + " is not an endpoint of this gateway")));
    router.route().failureHandler(this::failure);
    ServerSettings settings = config.server();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
        .setMaxHeaderSize(64 * 1024).setMaxInitialLineLength(16 * 1024)
        .setIdleTimeout((int) Math.max(1, settings.idleTimeout().toSeconds())).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(settings.http2Cleartext()));
    server.connectionHandler(this::connected);
    Handler<HttpServerRequest> requests = request -> {
      Long headDeadline = awaitingHead.remove(request.connection());
      if (headDeadline != null) {
        vertx.cancelTimer(headDeadline);
      }
      router.handle(request);
    };
    return server.requestHandler(requests).listen();
  }

  /**
   * A new client connection: closed at once past the per-client cap, and closed if its first request head does not
   * arrive within {@code request_header_timeout} (a client that opens sockets and sends nothing, or a byte at a time).
   */
  private void connected(HttpConnection connection) {
    String client = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    if (!connections.tryOpen(client)) {
      LOG.fine(() -> "connection refused: client holds " + config.server().maxConnectionsPerClient()
          + " connections, server_settings.max_connections_per_client");
      connection.close();
      return;
    }
    long deadline = vertx.setTimer(config.server().headerTimeout().toMillis(), timer -> {
      if (awaitingHead.remove(connection) != null) {
        connection.close();
      }
    });
    awaitingHead.put(connection, deadline);
    connection.closeHandler(closed -> {
      Long pending = awaitingHead.remove(connection);
      if (pending != null) {
        vertx.cancelTimer(pending);
      }
      connections.close(client);
    });
  }

  /**
   * Refuses what a browser page may send on its own: a request with a Host this node is not known by (DNS rebinding
   * onto a loopback listener), and, at a node without a key, any request a browser made (it carries Origin).
   */
  private void checkOrigin(RoutingContext ctx) {
    HostAndPort authority = ctx.request().authority();
    String refusal = origin.refusal(authority == null ? null : authority.host(), ctx.request().getHeader("origin"));
    if (refusal == null) {
      ctx.next();
      return;
    }
    error(ctx, new GatewayError(refusal.startsWith("Host") ? 421 : 403,
        refusal.startsWith("Host") ? "invalid_request_error" : "permission_error", refusal));
  }

  /**
   * Checks the caller's key before anything is spent on the request: no admission slot, no body read without one.
   * A refused request's body is never read, so its connection is closed after the answer.
   */
  private void authenticate(RoutingContext ctx) {
    if (keys.admits(ctx.request().headers())) {
      ctx.next();
      return;
    }
    if (!ctx.request().isEnded()) {
      ctx.response().putHeader("connection", "close");
    }
    error(ctx, GatewayError.authentication(apiOf(ctx) == Operation.ClientApi.OPENAI
        ? "invalid API key: pass the gateway key as Authorization: Bearer <key>" : "invalid x-api-key"));
  }

  /**
   * Counts the request in for as long as its answer lasts (a stream until its last byte, or until the client goes),
   * or refuses it at once: the node is draining, or already serving as many requests as it may.
   */
  private void admit(RoutingContext ctx) {
    if (node.draining()) {
      // the client's next try should open a new connection, which a load balancer sends to another node
      ctx.response().putHeader("connection", "close");
      error(ctx, GatewayError.overloaded("this gateway node is shutting down; retry and another node will answer"));
      return;
    }
    if (!node.tryAdmit()) {
      error(ctx, GatewayError.overloaded("this gateway node is serving " + node.maxInFlight()
          + " requests, its limit (general_settings.global_max_parallel_requests); retry shortly"));
      return;
    }
    // the body must arrive whole within request_body_timeout, or the slot goes back and the connection closes
    long bodyTimer = vertx.setTimer(config.server().bodyTimeout().toMillis(), timer -> {
      if (!ctx.request().isEnded()) {
        ctx.response().putHeader("connection", "close");
        error(ctx, new GatewayError(408, "invalid_request_error", "the request body did not arrive within "
            + config.server().bodyTimeout().toMillis() / 1000.0 + " s (server_settings.request_body_timeout)"));
        ctx.request().connection().close();
      }
    });
    ctx.put(BODY_TIMER, bodyTimer);
    // called once, when the response ends or the connection closes first
    ctx.addEndHandler(done -> {
      vertx.cancelTimer(bodyTimer);
      node.release();
    });
    ctx.next();
  }

  private void relay(RoutingContext ctx, Operation operation) {
    Long bodyTimer = ctx.get(BODY_TIMER);
    if (bodyTimer != null) {
      vertx.cancelTimer(bodyTimer);
    }
    String contentType = ctx.request().getHeader("content-type");
    // exactly application/json (parameters such as charset allowed): text/plain and forms are what a browser may
    // send across origins without asking first
    if (contentType != null && !RequestOrigin.json(contentType)) {
      error(ctx, GatewayError.invalidRequest("content-type must be application/json"));
      return;
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      error(ctx, GatewayError.invalidRequest("request body is empty; a JSON object is required"));
      return;
    }
    JsonNode json;
    try {
      json = JSON.readTree(raw.getBytes());
    } catch (JsonProcessingException malformed) {
      // a parser limit (nesting depth, say) is reported without a location
      JsonLocation at = malformed.getLocation();
      error(ctx, GatewayError.invalidRequest("malformed JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + malformed.getOriginalMessage()));
      return;
    } catch (java.io.IOException unreadable) {
      error(ctx, GatewayError.invalidRequest("request body could not be read as JSON"));
      return;
    }
    if (json.path("model").isTextual()) {
      ctx.put(AccessLog.MODEL, json.get("model").asText());
    }
    GatewayError invalid = operation.api() == Operation.ClientApi.OPENAI ? OpenAiRequestCheck.check(json)
        : AnthropicRequestCheck.check(json, operation);
    if (invalid != null) {
      error(ctx, invalid);
      return;
    }
    boolean stream = operation != Operation.COUNT_TOKENS && json.path("stream").asBoolean(false);
    String requestId = ctx.get(AccessLog.REQUEST_ID);
    GatewayRequest request = new GatewayRequest(requestId, operation, json.get("model").asText(), stream,
        "default", forwardedHeaders(ctx), ctx.request().query(), raw, json);
    // The routing context lives as long as the answer, a stream's for minutes, and would keep the body as long: it
    // is the router's now, dropped once the answer begins. BodyHandler sets it this way (see vert-x3/vertx-web#1160).
    if (ctx instanceof RoutingContextInternal internal) {
      internal.setBody(null);
    }
    vertx.eventBus()
        .<GatewayReply>request(EventBusAddress.ROUTER, request, new DeliveryOptions().setLocalOnly(true)
            .setSendTimeout(config.router().timeout().toMillis() + 30_000))
        .onSuccess(reply -> respond(ctx, requestId, reply.body()))
        .onFailure(failure -> error(ctx, GatewayError.from(failure)));
  }

  private void respond(RoutingContext ctx, String requestId, GatewayReply reply) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      if (reply.stream() != null) {
        reply.stream().cancel();
      }
      return;
    }
    response.setStatusCode(reply.status());
    reply.headers().forEach(response::putHeader);
    response.putHeader("x-affinity-deployment", reply.deploymentId());
    response.putHeader("x-affinity-request-id", requestId);
    if (reply.route() != null) {
      response.putHeader("x-affinity-route", reply.route());
    }
    if (reply.body() != null) {
      // every complete answer is JSON, including an upstream error rewritten for the client's API
      if (!response.headers().contains("content-type")) {
        response.putHeader("content-type", "application/json");
      }
      response.end(reply.body());
      return;
    }
    stream(ctx, reply.stream());
  }

  /** Relays a streamed answer; a slow client pauses the upstream read, a vanished one cancels it. */
  private void stream(RoutingContext ctx, BodyStream body) {
    HttpServerResponse response = ctx.response();
    Operation.ClientApi api = apiOf(ctx);
    response.setChunked(true);
    Future<Void> relayed = body.pipe().endOnFailure(false).to(response);
    // Through the routing context, not response.closeHandler, which holds one handler and admission needs it too.
    // Cancelling is a no-op once the upstream answer has ended, so a failed end (a closed connection) always
    // cancels: the pipe cannot be asked, because a write to a closed connection may fail it before the close is
    // reported, and Vert.x then reads the response as ended rather than closed.
    ctx.addEndHandler(done -> {
      if (done.failed()) {
        body.cancel();
      }
    });
    relayed.onFailure(failure -> {
      if (response.closed() || response.ended()) {
        body.cancel();
      } else {
        // bytes already went out: the status cannot change, so the stream says what happened
        GatewayError error = GatewayError.upstreamUnreachable("upstream stream interrupted: "
            + failure.getClass().getSimpleName());
        response.end(api == Operation.ClientApi.OPENAI ? "data: " + error.toOpenAiJson().encode() + "\n\n"
            : "event: error\ndata: " + error.toAnthropicJson().encode() + "\n\n");
      }
    });
  }

  private void models(RoutingContext ctx) {
    // one list both SDK families can read: Anthropic's fields and OpenAI's side by side
    JsonArray data = new JsonArray();
    long created = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
    for (String alias : new TreeSet<>(config.aliases())) {
      data.add(new JsonObject().put("type", "model").put("id", alias).put("display_name", alias)
          .put("created_at", "2025-01-01T00:00:00Z").put("object", "model").put("created", created)
          .put("owned_by", "affinity"));
    }
    json(ctx, 200, new JsonObject().put("data", data).put("object", "list").put("has_more", false)
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id")));
  }

  /** Admin answers come from the router; only the master key may ask, and only when one is configured. */
  private void admin(RoutingContext ctx, String query) {
    if (config.general().masterKey() == null) {
      error(ctx, new GatewayError(403, "permission_error",
          "admin endpoints are disabled: set general_settings.master_key"));
      return;
    }
    if (!keys.admits(ctx.request().headers())) {
      error(ctx, GatewayError.authentication("invalid x-api-key"));
      return;
    }
    vertx.eventBus().<JsonObject>request(EventBusAddress.ADMIN, query, new DeliveryOptions().setLocalOnly(true))
        .onSuccess(reply -> json(ctx, 200, reply.body()))
        .onFailure(failure -> error(ctx, GatewayError.from(failure)));
  }

  /** Prometheus metrics (docs/metrics.md): with the master key when one is configured, as the API. */
  private void metrics(RoutingContext ctx) {
    if (!keys.admits(ctx.request().headers())) {
      error(ctx, GatewayError.authentication("invalid x-api-key"));
      return;
    }
    ctx.response().putHeader("content-type", MetricsVerticle.CONTENT_TYPE).end(node.metrics().scrape());
  }

  /** 503 while starting or draining, so that a load balancer sends requests elsewhere. */
  private void readiness(RoutingContext ctx) {
    boolean ready = node.ready();
    String status = ready ? "ready" : node.draining() ? "draining" : "starting";
    json(ctx, ready ? 200 : 503, new JsonObject().put("status", status)
        .put("cluster_members", node.clusterSize())
        .put("requests_in_flight", node.inFlight())
        .put("max_parallel_requests", node.maxInFlight()));
  }

  private void failure(RoutingContext ctx) {
    if (ctx.response().closed()) {
      // the client broke the message framing and the connection is gone: there is no one left to answer
      LOG.fine(() -> "request on " + ctx.request().path() + " abandoned: " + ctx.failure());
      return;
    }
    if (ctx.statusCode() == 413) {
      error(ctx, GatewayError.tooLarge("request body exceeds the " + config.general().maxRequestBytes()
          + " byte limit"));
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500 || !ctx.request().isEnded()) {
      // a failure while the body is still arriving is the client's: broken chunked framing, say
      error(ctx, new GatewayError(ctx.statusCode() >= 400 ? ctx.statusCode() : 400, "invalid_request_error",
          "the request could not be read"));
    } else {
      LOG.log(Level.WARNING, "unexpected failure on " + ctx.request().path(), ctx.failure());
      error(ctx, GatewayError.internal("internal gateway error"));
    }
  }

  /**
   * Provider headers the client set that the upstream must see (the client's credentials are not among them), and
   * Claude Code's session id, which the router places sessions by and the upstream sees as it would directly.
   */
  private static Map<String, String> forwardedHeaders(RoutingContext ctx) {
    Map<String, String> headers = new HashMap<>();
    ctx.request().headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("anthropic-") || lower.equals(SessionKey.HEADER)) {
        headers.merge(lower, value, (first, second) -> first + "," + second);
      }
    });
    return headers;
  }

  /** Errors take the shape of the API the client called: OpenAI's for chat completions, Anthropic's elsewhere. */
  private static void error(RoutingContext ctx, GatewayError error) {
    AccessLog.refusedWith(ctx, error);
    Operation.ClientApi api = apiOf(ctx);
    // 529 is Anthropic's own status: OpenAI clients and proxies know 503, which they retry the same way
    int status = api == Operation.ClientApi.OPENAI && error.status() == 529 ? 503 : error.status();
    json(ctx, status, error.toJson(api));
  }

  private static Operation.ClientApi apiOf(RoutingContext ctx) {
    String path = ctx.request().path();
    return path != null && (path.startsWith("/v1/chat/") || path.startsWith("/chat/"))
        ? Operation.ClientApi.OPENAI : Operation.ClientApi.ANTHROPIC;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
