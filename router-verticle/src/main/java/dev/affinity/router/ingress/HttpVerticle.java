package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.BodyStream;
import dev.affinity.model.Caller;
import dev.affinity.model.ClientApi;
import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.JsonBody;
import dev.affinity.model.Operation;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ServerSettings;
import dev.affinity.model.AwsEventStream;
import dev.affinity.router.node.Listener;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.routing.DeploymentBook;
import dev.affinity.router.routing.NodeRouter;
import dev.affinity.router.observe.MetricsVerticle;
import dev.affinity.router.tenancy.Identity;
import dev.affinity.router.tenancy.Tenancy;
import dev.affinity.router.tenancy.TenancyAdmin;
import dev.affinity.router.tenancy.TenantPolicy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
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
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The HTTP face of a node: authenticates, parses and checks requests, sends them to the router over the local event
 * bus, and writes the answer back — complete, or streamed event by event with back-pressure.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());

  /** OpenAI endpoints the gateway does not serve: their 404 is still in OpenAI's shape. */
  private static final Set<String> OPENAI_ONLY_PATHS = Set.of("/v1/embeddings", "/embeddings", "/v1/completions",
      "/completions");
  private static final long MODELS_CREATED = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
  /** Where admit() leaves the body deadline's timer, for relay() to cancel once the body is in. */
  private static final String BODY_TIMER = "affinity.body-timer";
  /** Where authenticate() leaves the caller it found, for the handlers after it. */
  private static final String IDENTITY = "affinity.identity";

  private final GatewayConfig config;
  private final CloudModelCatalog cloudModels;
  private final NodeState node;
  private final ClientConnections connections;
  private final CallerKeys keys;
  private final RequestOrigin origin;
  private final String host;
  private final int port;
  /** Connections whose first request head has not arrived yet, with their deadline timer (this event loop only). */
  private final Map<HttpConnection, Long> awaitingHead = new HashMap<>();
  private final Tenancy tenancy;
  private final IngressPipeline ingress;
  private final NodeRouter router;
  private HttpServer server;

  /**
   * @param tenancy the node's virtual keys and teams, or null when no master key is configured
   * @param router  the node's router, which every accepted request goes to
   */
  public HttpVerticle(GatewayConfig config, NodeState node, ClientConnections connections, String host, int port,
                      Tenancy tenancy, NodeRouter router) {
    this.router = router;
    this.tenancy = tenancy;
    this.ingress = new IngressPipeline(config, node, tenancy);
    this.config = config;
    this.cloudModels = new CloudModelCatalog(config);
    this.node = node;
    this.connections = connections;
    this.keys = new CallerKeys(config.general().masterKey());
    this.origin = new RequestOrigin(config.server().allowedHosts(), Listener.loopback(host), keys.keyRequired());
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // first, so that every request is logged, those refused before their body is read included
    AccessLog accessLog = new AccessLog(node.metrics());
    router.route().handler((PlatformHandler) accessLog::begin);
    // the body's buffer is sized from its content-length (Vert.x caps that at 64 KB), not grown from 1 KB by
    // doubling: a 50 KB body was copied seven times on its way in
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.general().maxRequestBytes())
        .setPreallocateBodyBuffer(true);
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
    router.post("/v1/responses").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.RESPONSES));
    router.post("/responses").handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relay(ctx, Operation.RESPONSES));
    // a stored response, at the deployment its id names: read back, deleted, cancelled, its input items listed
    for (String responses : List.of("/v1/responses/", "/responses/")) {
      router.get(responses + ":id").handler(authenticate).handler(admit).handler(body)
          .handler(ctx -> relayStored(ctx, Operation.RESPONSE_RETRIEVE));
      router.delete(responses + ":id").handler(authenticate).handler(admit).handler(body)
          .handler(ctx -> relayStored(ctx, Operation.RESPONSE_DELETE));
      router.post(responses + ":id/cancel").handler(authenticate).handler(admit).handler(body)
          .handler(ctx -> relayStored(ctx, Operation.RESPONSE_CANCEL));
      router.get(responses + ":id/input_items").handler(authenticate).handler(admit).handler(body)
          .handler(ctx -> relayStored(ctx, Operation.RESPONSE_INPUT_ITEMS));
    }
    // Bedrock's InvokeModel and Vertex AI's rawPredict, as Claude Code calls them in its Bedrock and Vertex modes
    router.postWithRegex(CloudApiRequest.BEDROCK_ROUTE).handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relayCloud(ctx, CloudApiRequest.bedrock(ctx.request().path())));
    router.postWithRegex(CloudApiRequest.VERTEX_ROUTE).handler(authenticate).handler(admit).handler(body)
        .handler(ctx -> relayCloud(ctx, CloudApiRequest.vertex(ctx.request().path())));
    // what Claude Code (HEAD /api/hello) and load balancers probe before the first call: the gateway is there
    router.head("/").handler(ctx -> ctx.response().setStatusCode(200).end());
    router.head("/api/hello").handler(ctx -> ctx.response().setStatusCode(200).end());
    router.get("/v1/models").handler(authenticate).handler(this::models);
    // OpenAI SDKs given the gateway's root as their base URL ask without /v1, as LiteLLM serves them
    router.get("/models").handler(authenticate).handler(this::models);
    // LiteLLM's list of deployments with their prices
    router.get("/model/info").handler(authenticate).handler(this::modelInfo);
    router.get("/v1/model/info").handler(authenticate).handler(this::modelInfo);
    router.get("/v1/models/:model").handler(authenticate).handler(this::model);
    router.get("/models/:model").handler(authenticate).handler(this::model);
    router.get("/inference-profiles").handler(authenticate).handler(this::inferenceProfiles);
    router.get("/inference-profiles/:id").handler(authenticate).handler(this::inferenceProfile);
    router.get("/health").handler(authenticate).handler(this::health);
    router.get("/health/liveliness").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "alive")));
    // LiteLLM's alias with Kubernetes' spelling
    router.get("/health/liveness").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "alive")));
    router.get("/health/readiness").handler(this::readiness);
    router.get("/affinity/pins").handler(ctx -> admin(ctx, "pins"));
    router.delete("/affinity/pins").handler(ctx -> admin(ctx, "clear-pins"));
    router.get("/affinity/stats").handler(ctx -> admin(ctx, "stats"));
    router.get("/metrics").handler(this::metrics);
    router.get("/affinity/activity").handler(this::activity);
    // the console's files hold no data: it asks for the master key and calls the admin endpoints with it
    router.get("/ui/*").handler(ctx -> {
      if (ctx.request().path().equals("/ui")) {
        // relative links in the page resolve under /ui/
        ctx.redirect("/ui/");
        return;
      }
      ctx.response().putHeader("content-security-policy", "default-src 'self'; frame-ancestors 'none'")
          .putHeader("x-content-type-options", "nosniff").putHeader("referrer-policy", "no-referrer");
      ctx.next();
    }).handler(StaticHandler.create("affinity-console").setCachingEnabled(false).setDirectoryListing(false));
    if (tenancy != null) {
      new TenancyAdmin(tenancy, ctx -> CallerKeys.presentedKey(ctx.request().headers()),
          id -> config.deployment(id).map(Deployment::litellmProvider).orElse(null))
          .mount(router, config.general().maxRequestBytes());
    } else {
      router.route("/key/*").handler(this::noTenancy);
      router.route("/team/*").handler(this::noTenancy);
      router.route("/spend/*").handler(this::noTenancy);
      router.route("/global/*").handler(this::noTenancy);
    }
    // the rest of the Responses API's paths: not found, in its shape, naming what is served
    router.route("/v1/responses/*").handler(this::notAResponsesEndpoint);
    router.route("/responses/*").handler(this::notAResponsesEndpoint);
    router.route().last().handler(ctx -> error(ctx, GatewayError.notFound(
        ctx.request().method() + " " + ctx.request().path() + " is not an endpoint of this gateway")));
    router.route().failureHandler(this::failure);
    ServerSettings settings = config.server();
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setMaxHeaderSize(64 * 1024).setMaxInitialLineLength(16 * 1024)
        .setIdleTimeout((int) Math.max(1, settings.idleTimeout().toSeconds())).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(settings.http2Cleartext());
    if (settings.tls()) {
      // inbound TLS from PEM files; HTTP/2 is then offered through ALPN
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tlsCertFile().toString()).setKeyPath(settings.tlsKeyFile().toString()));
    }
    server = vertx.createHttpServer(options);
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
    Future<Identity> identified = ingress.identify(ctx.request().headers(), clientAddress(ctx), context);
    if (identified.isComplete()) {
      authenticated(ctx, identified);
      return;
    }
    // a key this node has not heard of yet is asked of the cluster (one hop, no database); meanwhile the body
    // waits unread, and BodyHandler (set up by the handlers after this one) is given it once the key is known
    ctx.request().pause();
    identified.onComplete(done -> {
      authenticated(ctx, done);
      if (!ctx.request().isEnded()) {
        ctx.request().resume();
      }
    });
  }

  private void authenticated(RoutingContext ctx, io.vertx.core.AsyncResult<Identity> identified) {
    if (identified.succeeded()) {
      Identity identity = identified.result();
      ctx.put(IDENTITY, identity);
      AccessLog.caller(ctx, identity.caller());
      ctx.next();
      return;
    }
    if (!ctx.request().isEnded()) {
      ctx.response().putHeader("connection", "close");
    }
    ClientApi api = apiOf(ctx);
    error(ctx, IngressPipeline.refusal(identified.cause(), api == ClientApi.OPENAI || api == ClientApi.RESPONSES
        ? "invalid API key: pass the gateway key as Authorization: Bearer <key>" : "invalid x-api-key"));
  }

  private static String clientAddress(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  /**
   * Counts the request in for as long as its answer lasts (a stream until its last byte, or until the client goes),
   * or refuses it at once: the node is draining, or already serving as many requests as it may.
   */
  private void admit(RoutingContext ctx) {
    GatewayError refused = ingress.admit();
    if (refused != null) {
      if (node.draining()) {
        // the client's next try should open a new connection, which a load balancer sends to another node
        ctx.response().putHeader("connection", "close");
      }
      error(ctx, refused);
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
      ingress.release();
    });
    ctx.next();
  }

  private void relay(RoutingContext ctx, Operation operation) {
    Buffer raw = ctx.body().buffer();
    JsonNode json = parsedBody(ctx);
    if (json == null) {
      return;
    }
    if (json.path("model").isTextual()) {
      ctx.put(AccessLog.MODEL, json.get("model").asText());
    }
    route(ctx, operation, null, json, raw, ctx.request().headers(), ctx.request().query());
  }

  /**
   * A request in Bedrock's or Vertex AI's API for Claude: its Messages body ({@link CloudApiRequest}), for the alias
   * its model id names ({@link CloudModelCatalog}), routed as an Anthropic client's would be, so that its prefix shares
   * pins with theirs. Betas in the body ({@code anthropic_beta}) join the {@code anthropic-beta} header.
   */
  private void relayCloud(RoutingContext ctx, CloudApiRequest cloud) {
    JsonNode sent = parsedBody(ctx);
    if (sent == null) {
      return;
    }
    Operation operation = cloud.cloud() == CloudApiRequest.Cloud.BEDROCK ? Operation.INVOKE_MODEL
        : cloud.countTokens() ? Operation.RAW_PREDICT_COUNT_TOKENS : Operation.RAW_PREDICT;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(ctx.request().headers());
    JsonNode json;
    String alias;
    try {
      String model = cloud.model(sent);
      ctx.put(AccessLog.MODEL, model);
      alias = cloudModels.alias(model);
      json = cloud.messages(sent, alias);
      String betas = CloudApiRequest.betaHeader(headers.getAll("anthropic-beta"), sent);
      if (betas != null) {
        headers.set("anthropic-beta", betas);
      }
    } catch (GatewayErrorException invalid) {
      error(ctx, invalid.error());
      return;
    }
    route(ctx, operation, alias, json, JsonBody.of(json), headers, null);
  }

  /** The body as JSON, or null when it is not (the client has its 400 then). */
  private JsonNode parsedBody(RoutingContext ctx) {
    Long bodyTimer = ctx.get(BODY_TIMER);
    if (bodyTimer != null) {
      vertx.cancelTimer(bodyTimer);
    }
    String contentType = ctx.request().getHeader("content-type");
    // exactly application/json (parameters such as charset allowed): text/plain and forms are what a browser may
    // send across origins without asking first
    if (contentType != null && !RequestOrigin.json(contentType)) {
      error(ctx, GatewayError.invalidRequest("content-type must be application/json"));
      return null;
    }
    try {
      return IngressPipeline.parse(ctx.body().buffer());
    } catch (GatewayErrorException malformed) {
      error(ctx, malformed.error());
      return null;
    }
  }

  /**
   * An operation on a stored response: no body to read (one sent is ignored), the id from the path, the query held to
   * what the operation takes ({@link StoredResponseQuery}); the router finds the deployment that holds it.
   */
  private void relayStored(RoutingContext ctx, Operation operation) {
    Long bodyTimer = ctx.get(BODY_TIMER);
    if (bodyTimer != null) {
      vertx.cancelTimer(bodyTimer);
    }
    String query;
    try {
      query = StoredResponseQuery.upstream(operation, ctx.queryParams());
    } catch (GatewayErrorException invalid) {
      error(ctx, invalid.error());
      return;
    }
    if (ctx instanceof RoutingContextInternal internal) {
      internal.setBody(null);
    }
    String requestId = ctx.get(AccessLog.REQUEST_ID);
    Identity identity = ctx.get(IDENTITY);
    routeAccepted(ctx, requestId, identity, ingress.acceptStored(requestId, operation, ctx.pathParam("id"), query,
        StoredResponseQuery.streamed(operation, ctx.queryParams()), identity, context));
  }

  /** Hands a parsed request to the ingress pipeline, then to the router; answers what comes back. */
  private void route(RoutingContext ctx, Operation operation, String model, JsonNode json, Buffer raw,
                     MultiMap headers, String query) {
    String requestId = ctx.get(AccessLog.REQUEST_ID);
    Identity identity = ctx.get(IDENTITY);
    IngressPipeline.Inbound inbound = new IngressPipeline.Inbound(requestId, operation, model, raw, headers, query,
        null);
    // The routing context lives as long as the answer, a stream's for minutes, and would keep the body as long: it
    // is the router's now, dropped once the answer begins. BodyHandler sets it this way (see vert-x3/vertx-web#1160).
    if (ctx instanceof RoutingContextInternal internal) {
      internal.setBody(null);
    }
    routeAccepted(ctx, requestId, identity, ingress.accept(inbound, json, identity, context));
  }

  /** Once the ingress has accepted (or refused) the request: to the router, and its answer to the client. */
  private void routeAccepted(RoutingContext ctx, String requestId, Identity identity,
                             Future<IngressPipeline.Accepted> acceptance) {
    acceptance.onComplete(accepted -> {
      if (accepted.failed()) {
        error(ctx, IngressPipeline.refusal(accepted.cause(), "invalid x-api-key"));
        return;
      }
      // the key's slot is held until the answer's last byte, or until the client goes
      Runnable release = accepted.result().releaser();
      ctx.addEndHandler(done -> release.run());
      router.route(accepted.result().request())
          .onSuccess(reply -> respond(ctx, requestId, reply, identity.caller()))
          .onFailure(failure -> error(ctx, GatewayError.from(failure)));
    });
  }

  private void respond(RoutingContext ctx, String requestId, GatewayReply reply, Caller caller) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      if (reply.stream() != null) {
        reply.stream().cancel();
      }
      return;
    }
    response.setStatusCode(reply.status());
    reply.headers().forEach(response::putHeader);
    if (reply.status() >= 400 && apiOf(ctx) == ClientApi.BEDROCK_INVOKE && !response.headers().contains(
        "x-amzn-errortype")) {
      // what AWS SDKs read an error's kind from; an upstream of another API has none to relay
      response.putHeader("x-amzn-errortype", new GatewayError(reply.status(), "api_error", "").bedrockErrorType());
    }
    response.putHeader("x-affinity-request-id", requestId);
    ctx.put(AccessLog.DEPLOYMENT, reply.deploymentId());
    ctx.put(AccessLog.ROUTE, reply.route());
    // where a prefix was routed tells whether someone sent it recently: for the admin (or a key allowed it) only
    if (caller.routingHeaders() && reply.deploymentId() != null) {
      response.putHeader("x-affinity-deployment", reply.deploymentId());
      if (reply.route() != null) {
        response.putHeader("x-affinity-route", reply.route().label());
      }
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
    ClientApi api = apiOf(ctx);
    response.setChunked(true);
    Future<Void> relayed = body.pipe().endOnFailure(false).to(response);
    watchForStall(ctx, body, relayed);
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
        response.end(switch (api) {
          case OPENAI -> Buffer.buffer("data: " + error.toOpenAiJson().encode() + "\n\n");
          case RESPONSES -> Buffer.buffer(error.toResponsesErrorEvent());
          case BEDROCK_INVOKE -> Buffer.buffer(AwsEventStream.exception(
              AwsEventStream.streamExceptionType(error.type()), error.message()));
          default -> Buffer.buffer("event: error\ndata: " + error.toAnthropicJson().encode() + "\n\n");
        });
      }
    });
  }

  /**
   * Ends a stream whose client stopped reading: back-pressure pauses the upstream while the client's write queue is
   * full, which would hold the admission slot and the upstream connection for as long as the client likes. Checked a
   * few times per {@code server_settings.client_stall_timeout}; a queue full for that long closes the connection.
   */
  private void watchForStall(RoutingContext ctx, BodyStream body, Future<Void> relayed) {
    long stallMillis = config.server().clientStallTimeout().toMillis();
    long[] fullSince = {-1};
    long check = vertx.setPeriodic(Math.max(100, stallMillis / 4), timer -> {
      HttpServerResponse response = ctx.response();
      if (!response.writeQueueFull()) {
        fullSince[0] = -1;
      } else if (fullSince[0] < 0) {
        fullSince[0] = System.nanoTime();
      } else if (System.nanoTime() - fullSince[0] >= stallMillis * 1_000_000) {
        vertx.cancelTimer(timer);
        LOG.fine(() -> "stream abandoned: the client read nothing for " + stallMillis + " ms");
        body.cancel();
        abort(ctx.request().connection());
      }
    });
    relayed.onComplete(done -> vertx.cancelTimer(check));
    ctx.addEndHandler(done -> vertx.cancelTimer(check));
  }

  /**
   * Closes a connection at once, dropping what is queued for it. Vert.x's own close() and reset() wait for queued
   * bytes to go out first, which never happens for a client that does not read: hence Netty's channel.
   */
  private static void abort(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      // from the first handler's context, so that the close reaches the socket without Vert.x's graceful shutdown
      base.channel().pipeline().firstContext().close();
    } else {
      connection.close();
    }
  }

  /**
   * The models the caller may call: all of them for the admin, those its key and team allow for a virtual key. Pages
   * as Anthropic's list does when asked ({@code limit}, 1 to 1000; {@code after_id}, {@code before_id}), as Claude
   * Code's model discovery asks ({@code ?limit=1000}); whole otherwise, as OpenAI's list is.
   */
  private void models(RoutingContext ctx) {
    Identity identity = ctx.get(IDENTITY);
    List<String> allowed = new java.util.ArrayList<>();
    for (String alias : new TreeSet<>(config.aliases())) {
      if (mayCall(identity, alias, System.currentTimeMillis())) {
        allowed.add(alias);
      }
    }
    ModelPage page;
    try {
      page = ModelPage.of(allowed, ctx.request().getParam("limit"), ctx.request().getParam("after_id"),
          ctx.request().getParam("before_id"));
    } catch (IllegalArgumentException invalid) {
      error(ctx, GatewayError.invalidRequest(invalid.getMessage()));
      return;
    }
    // one list both SDK families can read: Anthropic's fields and OpenAI's side by side
    JsonArray data = new JsonArray();
    page.ids().forEach(id -> data.add(modelObject(id)));
    json(ctx, 200, new JsonObject().put("data", data).put("object", "list").put("has_more", page.hasMore())
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id")));
  }

  /**
   * One model, in the shape both SDK families read; 404 in the caller's API's shape when nothing serves it, or when
   * the caller may not call it (it is not in its {@link #models} either).
   */
  private void model(RoutingContext ctx) {
    String id = ctx.pathParam("model");
    if (config.deploymentsFor(id).isEmpty() || !mayCall(ctx.get(IDENTITY), id, System.currentTimeMillis())) {
      error(ctx, GatewayError.modelNotFound("model '" + LogLine.clip(id, 200) + "' is not served here"));
      return;
    }
    json(ctx, 200, modelObject(id));
  }

  /**
   * LiteLLM's {@code /model/info} ({@link ModelInfoPage}): the deployments the caller may be routed to, as the router
   * decides it ({@code Tenants.reachable}: a key's models, a team's reserved deployments); {@code litellm_model_id}
   * names one. Without tenancy there are no keys, and every deployment is shown.
   */
  private void modelInfo(RoutingContext ctx) {
    Identity identity = ctx.get(IDENTITY);
    String id = ctx.request().getParam("litellm_model_id");
    List<Deployment> shown = new java.util.ArrayList<>();
    config.deployments().stream()
        .collect(Collectors.groupingBy(Deployment::alias, LinkedHashMap::new, Collectors.toList()))
        .forEach((alias, ofAlias) -> (tenancy == null ? ofAlias : tenancy.reachable(identity.caller(), alias, ofAlias))
            .stream().filter(deployment -> id == null || deployment.id().equals(id)).forEach(shown::add));
    json(ctx, 200, ModelInfoPage.of(shown, DeploymentBook::listedPrice));
  }

  /**
   * Bedrock's ListInferenceProfiles: the profiles of the Claude models the caller may call ({@link InferenceProfiles},
   * {@link CloudModelCatalog#profiles}).
   */
  private void inferenceProfiles(RoutingContext ctx) {
    Identity identity = ctx.get(IDENTITY);
    long now = System.currentTimeMillis();
    Map<String, String> allowed = new LinkedHashMap<>();
    cloudModels.profiles().forEach((id, alias) -> {
      if (mayCall(identity, alias, now)) {
        allowed.put(id, alias);
      }
    });
    try {
      json(ctx, 200, InferenceProfiles.page(allowed, ctx.request().getParam("maxResults"),
          ctx.request().getParam("nextToken"), ctx.request().getParam("type")));
    } catch (IllegalArgumentException invalid) {
      error(ctx, GatewayError.invalidRequest(invalid.getMessage()));
    }
  }

  /** Bedrock's GetInferenceProfile: any id (or ARN) that names a model the caller may call, listed or not. */
  private void inferenceProfile(RoutingContext ctx) {
    String requested = ctx.pathParam("id");
    String id = CloudModelCatalog.lastPart(requested);
    String alias = cloudModels.alias(requested);
    Identity identity = ctx.get(IDENTITY);
    if (config.deploymentsFor(alias).isEmpty()
        || !mayCall(identity, alias, System.currentTimeMillis())) {
      error(ctx, GatewayError.notFound("Inference profile " + LogLine.clip(requested, 200) + " not found"));
      return;
    }
    json(ctx, 200, InferenceProfiles.summary(id, alias));
  }

  /** Whether the caller's key and team allow {@code alias}: by name, wildcard or model access group. */
  private boolean mayCall(Identity identity, String alias, long nowMillis) {
    return TenantPolicy.refusal(identity, alias, config::accessGroups, nowMillis) == null;
  }

  private static JsonObject modelObject(String id) {
    return new JsonObject().put("type", "model").put("id", id).put("display_name", id)
        .put("created_at", "2025-01-01T00:00:00Z").put("object", "model").put("created", MODELS_CREATED)
        .put("owned_by", "affinity");
  }

  /**
   * LiteLLM's {@code /health}: every deployment, healthy or not, as this node's router sees it now (not cooling down
   * after failures), without calling upstream (a health probe must not spend tokens). {@code ?model=} narrows it to
   * the deployments serving that model. The deployments' keys are never part of it.
   */
  private void health(RoutingContext ctx) {
    String model = ctx.request().getParam("model");
    List<Deployment> deployments = model == null ? config.deployments() : config.deploymentsFor(model);
    vertx.eventBus().<JsonObject>request(EventBusAddress.ADMIN, "stats", new DeliveryOptions().setLocalOnly(true))
        .onSuccess(reply -> {
          JsonObject stats = reply.body().getJsonObject("models", new JsonObject());
          JsonArray healthy = new JsonArray();
          JsonArray unhealthy = new JsonArray();
          for (Deployment deployment : deployments) {
            JsonObject line = stats.getJsonObject(deployment.alias(), new JsonObject())
                .getJsonObject(deployment.id(), new JsonObject());
            JsonObject endpoint = new JsonObject().put("model", deployment.litellmModel()).put("model_name", deployment.alias()).put("model_id", deployment.id())
                .put("api_base", withoutUserInfo(deployment.apiBase()));
            if (line.getBoolean("healthy", true)) {
              healthy.add(endpoint);
            } else {
              unhealthy.add(endpoint.put("error", "cooling down after failures until "
                  + line.getString("cooldown_ends_at")));
            }
          }
          json(ctx, 200, new JsonObject().put("healthy_endpoints", healthy).put("unhealthy_endpoints", unhealthy)
              .put("healthy_count", healthy.size()).put("unhealthy_count", unhealthy.size()));
        })
        .onFailure(failure -> error(ctx, GatewayError.from(failure)));
  }

  /** An endpoint fit to show: credentials written into it ({@code https://user:pass@host}) are left out. */
  static String withoutUserInfo(String apiBase) {
    try {
      java.net.URI uri = new java.net.URI(apiBase);
      return uri.getRawUserInfo() == null ? apiBase
          : new java.net.URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
    } catch (java.net.URISyntaxException unparsable) {
      return "(not shown)";
    }
  }

  /** Runs {@code then} for the master key alone, and only when one is configured; answers the refusal otherwise. */
  private void asAdmin(RoutingContext ctx, Handler<RoutingContext> then) {
    if (config.general().masterKey() == null) {
      error(ctx, new GatewayError(403, "permission_error",
          "admin endpoints are disabled: set general_settings.master_key"));
      return;
    }
    ingress.identify(ctx.request().headers(), clientAddress(ctx), context).onComplete(identified -> {
      if (identified.failed()) {
        error(ctx, IngressPipeline.refusal(identified.cause(), "invalid x-api-key"));
      } else if (!identified.result().caller().admin()) {
        // a tenant never sees another's pins or usage
        error(ctx, new GatewayError(403, "permission_error", ctx.request().path()
            + " is for the master key; virtual keys cannot read or change the cluster's pins and stats"));
      } else {
        then.handle(ctx);
      }
    });
  }

  /** Admin answers come from the router. */
  private void admin(RoutingContext ctx, String query) {
    asAdmin(ctx, allowed -> vertx.eventBus().<JsonObject>request(EventBusAddress.ADMIN, query,
            new DeliveryOptions().setLocalOnly(true))
        .onSuccess(reply -> json(ctx, 200, reply.body()))
        .onFailure(failure -> error(ctx, GatewayError.from(failure))));
  }

  /** /key/* and /team/* without a master key: there is no one to administer them. */
  private void noTenancy(RoutingContext ctx) {
    error(ctx, new GatewayError(403, "permission_error",
        "virtual keys and teams need a master key: set general_settings.master_key"));
  }

  /** Prometheus metrics (docs/metrics.md): with the master key when one is configured, as the API. */
  private void metrics(RoutingContext ctx) {
    if (!keys.admits(ctx.request().headers())) {
      error(ctx, GatewayError.authentication("invalid x-api-key"));
      return;
    }
    ctx.response().putHeader("content-type", MetricsVerticle.CONTENT_TYPE).end(node.metrics().scrape());
  }

  /** What the web console draws: this node's recent calls, hit rate and saving over time, the cluster's members. */
  private void activity(RoutingContext ctx) {
    asAdmin(ctx, allowed -> json(ctx, 200, node.metrics().journal().toJson(100)
        .put("cluster_members", new JsonArray(node.clusterMembers()))
        .put("requests_in_flight", node.inFlight()).put("ready", node.ready())));
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
      LOG.fine(() -> "request on " + LogLine.value(ctx.request().path()) + " abandoned: " + ctx.failure());
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
      LOG.log(Level.WARNING, "unexpected failure on " + LogLine.value(ctx.request().path()), ctx.failure());
      error(ctx, GatewayError.internal("internal gateway error"));
    }
  }

  private void notAResponsesEndpoint(RoutingContext ctx) {
    error(ctx, new GatewayError(404, "invalid_request_error", ctx.request().method() + " "
        + LogLine.clip(ctx.request().path(), 200) + " is not served by this gateway: the Responses API's endpoints"
        + " here are POST /v1/responses, GET and DELETE /v1/responses/{id}, POST /v1/responses/{id}/cancel and"
        + " GET /v1/responses/{id}/input_items"));
  }

  /** Errors take the shape of the API the client called: OpenAI's for chat completions, Anthropic's elsewhere. */
  private static void error(RoutingContext ctx, GatewayError error) {
    AccessLog.refusedWith(ctx, error);
    ClientApi api = apiOf(ctx);
    if (api == ClientApi.BEDROCK_INVOKE && !ctx.response().headWritten()) {
      ctx.response().putHeader("x-amzn-errortype", error.bedrockErrorType());
    }
    // 529 is Anthropic's own status: the other APIs' clients and proxies know 503, which they retry the same way
    json(ctx, error.status(api), error.toJson(api));
  }

  /**
   * The API a request speaks, for the shape of its errors: OpenAI's on the Chat Completions paths and on the other
   * OpenAI-only paths (embeddings, completions), Anthropic's on its own. {@code /v1/models} and {@code /health} serve
   * both families: there the headers tell, as Anthropic SDKs always send {@code anthropic-version} or
   * {@code x-api-key} and OpenAI SDKs neither.
   */
  private static ClientApi apiOf(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null) {
      return ClientApi.ANTHROPIC;
    }
    if (path.startsWith("/v1/chat/") || path.startsWith("/chat/") || OPENAI_ONLY_PATHS.contains(path)) {
      return ClientApi.OPENAI;
    }
    if (path.equals("/v1/responses") || path.startsWith("/v1/responses/") || path.equals("/responses")
        || path.startsWith("/responses/")) {
      return ClientApi.RESPONSES;
    }
    if (path.equals("/model/info") || path.equals("/v1/model/info")) {
      return ClientApi.OPENAI;
    }
    if (path.startsWith("/model/") || path.equals("/inference-profiles") || path.startsWith("/inference-profiles/")) {
      return ClientApi.BEDROCK_INVOKE;
    }
    if (path.startsWith("/v1/projects/")) {
      return ClientApi.VERTEX_RAW_PREDICT;
    }
    boolean shared = path.equals("/v1/models") || path.startsWith("/v1/models/") || path.equals("/models")
        || path.startsWith("/models/") || path.equals("/health");
    boolean anthropicClient = ctx.request().getHeader("anthropic-version") != null
        || ctx.request().getHeader("x-api-key") != null;
    return shared && !anthropicClient ? ClientApi.OPENAI : ClientApi.ANTHROPIC;
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
