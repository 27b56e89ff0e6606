package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The Anthropic-shaped routes under {@code /v1}: authentication by API key, request capture, rate-limit headers,
 * {@code count_tokens}, {@code models}, and the error shape every failure is answered in.
 */
final class AnthropicApi {

  static final String ACCOUNT = "emulator.account";
  static final String REQUEST_ID = "emulator.request-id";
  static final String APPLICATION_JSON = "application/json";

  private static final System.Logger LOG = System.getLogger(AnthropicApi.class.getName());
  private static final String BEARER = "Bearer ";

  private final EmulatorState state;
  private final MessagesEndpoint messages;

  AnthropicApi(Vertx vertx, EmulatorState state) {
    this.state = state;
    this.messages = new MessagesEndpoint(vertx, state);
  }

  void mount(Router router) {
    router.route("/v1/*").handler(this::authenticate);
    router.route("/v1/*").handler(AnthropicApi::requireVersion);
    router.post("/v1/messages").handler(messages);
    router.post("/v1/messages/count_tokens").handler(this::countTokens);
    router.get("/v1/models").handler(ctx -> sendJson(ctx, ModelCatalog.list().encode()));
    router.get("/v1/models/:model").handler(this::model);
  }

  private void authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    AccountState account = state.accountForKey(apiKey(request));
    if (account == null) {
      throw new ApiError(401, "invalid x-api-key");
    }
    Instant now = state.clock().now();
    account.requests().add(new CapturedRequest(request.method().name(), request.uri(),
        CapturedRequest.redacted(request.headers()), RawBody.of(ctx).toString(StandardCharsets.UTF_8), now));
    account.ledger().countRequest();
    ctx.put(ACCOUNT, account);
    HttpServerResponse response = ctx.response();
    ctx.addHeadersEndHandler(v -> account.rateLimits().writeHeaders(response.headers(), state.clock().now()));
    ctx.next();
  }

  private static String apiKey(HttpServerRequest request) {
    String key = request.getHeader("x-api-key");
    if (key != null) {
      return key;
    }
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorization.substring(BEARER.length()).trim();
    }
    return null;
  }

  private static void requireVersion(RoutingContext ctx) {
    if (ctx.request().getHeader("anthropic-version") == null) {
      throw ApiError.invalidRequest("anthropic-version: header is required");
    }
    ctx.next();
  }

  private void countTokens(RoutingContext ctx) {
    PromptLayout layout = MessagesRequest.parseForCounting(RawBody.of(ctx));
    sendJson(ctx, new JsonObject().put("input_tokens", layout.totalTokens()).encode());
  }

  private void model(RoutingContext ctx) {
    JsonObject model = ModelCatalog.find(ctx.pathParam("model"));
    if (model == null) {
      throw new ApiError(404, "model: " + ctx.pathParam("model"));
    }
    sendJson(ctx, model.encode());
  }

  static void sendJson(RoutingContext ctx, String json) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(json);
  }

  /** Answers any failure of any route in Anthropic's error shape, and counts it against the account. */
  static void answerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ApiError error;
    if (failure instanceof ApiError apiError) {
      error = apiError;
    } else if (failure == null && ctx.statusCode() >= 400) {
      error = new ApiError(ctx.statusCode(), ApiError.defaultMessage(ctx.statusCode()));
    } else {
      LOG.log(Level.WARNING, "Unexpected failure answering " + ctx.request().method() + " " + ctx.request().path(),
          failure);
      error = new ApiError(500, ApiError.defaultMessage(500));
    }
    answer(ctx, error);
  }

  static void answer(RoutingContext ctx, ApiError error) {
    AccountState account = ctx.get(ACCOUNT);
    if (account != null) {
      account.ledger().countError();
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for a status: cut the stream, as a real upstream failing mid-answer does.
      ctx.request().connection().close();
      return;
    }
    Long retryAfter = error.retryAfterSeconds();
    if (retryAfter != null) {
      response.putHeader("retry-after", Long.toString(retryAfter));
    }
    response.setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(error.toJson(ctx.get(REQUEST_ID)).encode());
  }
}
