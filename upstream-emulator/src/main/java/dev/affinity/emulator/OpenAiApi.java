package dev.affinity.emulator;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI-shaped routes, served next to the Anthropic ones: {@code POST /v1/chat/completions},
 * {@code POST /v1/responses} (and its stored responses: {@code GET} and {@code DELETE /v1/responses/{id}},
 * {@code POST /v1/responses/{id}/cancel}, {@code GET /v1/responses/{id}/input_items}), and
 * {@code GET /v1/models[/{id}]} when asked by an OpenAI client. Authentication by {@code Authorization: Bearer}
 * (the same account keys), request capture, {@code x-request-id}, {@code openai-processing-ms}, the
 * {@code x-ratelimit-*} headers, and OpenAI's error shape for every failure on these routes.
 *
 * <p>Mounted before {@link AnthropicApi}, whose {@code /v1/*} handlers (which require {@code anthropic-version})
 * these routes never reach.
 */
final class OpenAiApi {

  static final String ACCOUNT = "emulator.openai.account";
  /** Set once a request is known to be an OpenAI one: its failures are answered in OpenAI's shape. */
  private static final String SERVED = "emulator.openai.served";
  private static final String STARTED_NANOS = "emulator.openai.started";

  private static final System.Logger LOG = System.getLogger(OpenAiApi.class.getName());
  private static final String BEARER = "Bearer ";
  private static final String MISSING_KEY = "You didn't provide an API key. You need to provide your API key in an"
      + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  private static final String INCORRECT_KEY = "Incorrect API key provided. You can find your API key at"
      + " https://platform.openai.com/account/api-keys.";

  private final EmulatorState state;
  private final ChatCompletionsEndpoint completions;
  private final ResponsesEndpoint responses;

  OpenAiApi(Vertx vertx, EmulatorState state) {
    this.state = state;
    this.completions = new ChatCompletionsEndpoint(vertx, state);
    this.responses = new ResponsesEndpoint(vertx, state);
  }

  void mount(Router router) {
    authenticated(router.post("/v1/chat/completions"), completions::handle);
    authenticated(router.post("/v1/responses"), responses::handle);
    // the stored responses: retrieved, deleted, cancelled, their input items listed
    authenticated(router.get("/v1/responses/:id"), responses::retrieve);
    authenticated(router.delete("/v1/responses/:id"), responses::delete);
    authenticated(router.post("/v1/responses/:id/cancel"), responses::cancel);
    authenticated(router.get("/v1/responses/:id/input_items"), responses::inputItems);
    // Azure OpenAI: the deployment in the path, the version in the query, the key in an api-key header
    router.post("/openai/deployments/:deployment/chat/completions")
        .handler(ctx -> {
          serve(ctx);
          if (ctx.request().getParam("api-version") == null) {
            throw new OpenAiError(404, "Resource not found", OpenAiError.INVALID_REQUEST, null, "404");
          }
          authenticate(ctx, ctx.request().getHeader("api-key"));
          completions.handle(ctx);
        })
        .failureHandler(OpenAiApi::answerFailure);
    router.get("/v1/models")
        .handler(ctx -> whenOpenAiClient(ctx, () -> sendJson(ctx, OpenAiModelCatalog.list().encode())))
        .failureHandler(OpenAiApi::answerFailureIfServed);
    router.get("/v1/models/:model")
        .handler(ctx -> whenOpenAiClient(ctx, () -> model(ctx)))
        .failureHandler(OpenAiApi::answerFailureIfServed);
  }

  /** {@code route} for a bearer key's caller: authenticated, then {@code endpoint}; failures in OpenAI's shape. */
  private void authenticated(Route route, Handler<RoutingContext> endpoint) {
    route.handler(ctx -> {
      authenticate(ctx);
      endpoint.handle(ctx);
    }).failureHandler(OpenAiApi::answerFailure);
  }

  /**
   * {@code /v1/models} is shared with Anthropic: a request is OpenAI's when it authenticates with a bearer token and
   * carries neither {@code x-api-key} nor {@code anthropic-version} (which Anthropic clients always send). Any other
   * request goes on to the Anthropic routes.
   */
  private void whenOpenAiClient(RoutingContext ctx, Runnable answer) {
    HttpServerRequest request = ctx.request();
    if (bearerToken(request) == null || request.getHeader("x-api-key") != null
        || request.getHeader("anthropic-version") != null) {
      ctx.next();
      return;
    }
    authenticate(ctx);
    answer.run();
  }

  private void authenticate(RoutingContext ctx) {
    authenticate(ctx, bearerToken(ctx.request()));
  }

  private void authenticate(RoutingContext ctx, String key) {
    serve(ctx);
    HttpServerRequest request = ctx.request();
    if (key == null) {
      throw new OpenAiError(401, MISSING_KEY, OpenAiError.INVALID_REQUEST, null, null);
    }
    AccountState account = state.accountForKey(key);
    if (account == null) {
      throw new OpenAiError(401, INCORRECT_KEY, OpenAiError.INVALID_REQUEST, null, "invalid_api_key");
    }
    account.requests().add(new CapturedRequest(request.method().name(), request.uri(),
        CapturedRequest.redacted(request.headers()), RawBody.of(ctx).toString(StandardCharsets.UTF_8),
        state.clock().now()));
    account.ledger().countOpenAiRequest();
    ctx.put(ACCOUNT, account);
    HttpServerResponse response = ctx.response();
    response.putHeader("openai-organization", account.name()).putHeader("openai-version", "2020-10-01");
    ctx.addHeadersEndHandler(v -> account.openAiRateLimits().writeHeaders(response.headers(), state.clock().now()));
  }

  /**
   * Marks the request as OpenAI's: OpenAI's {@code x-request-id} replaces Anthropic's {@code request-id}, and the
   * headers report the processing time. Idempotent.
   */
  private static void serve(RoutingContext ctx) {
    if (ctx.get(SERVED) != null) {
      return;
    }
    ctx.put(SERVED, Boolean.TRUE);
    ctx.put(STARTED_NANOS, System.nanoTime());
    HttpServerResponse response = ctx.response();
    response.headers().remove("request-id");
    response.putHeader("x-request-id", OpenAiIds.request());
    ctx.addHeadersEndHandler(v -> {
      long started = ctx.get(STARTED_NANOS);
      response.putHeader("openai-processing-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
    });
  }

  private static String bearerToken(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String token = authorization.substring(BEARER.length()).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }

  private static void model(RoutingContext ctx) {
    String id = ctx.pathParam("model");
    JsonObject model = OpenAiModelCatalog.find(id);
    if (model == null) {
      throw new OpenAiError(404, "The model '" + id + "' does not exist", OpenAiError.INVALID_REQUEST, "model",
          "model_not_found");
    }
    sendJson(ctx, model.encode());
  }

  static void sendJson(RoutingContext ctx, String json) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON).end(json);
  }

  private static void answerFailureIfServed(RoutingContext ctx) {
    if (ctx.get(SERVED) == null) {
      ctx.next();
    } else {
      answerFailure(ctx);
    }
  }

  /** Answers any failure of an OpenAI route in OpenAI's error shape, and counts it against the account. */
  static void answerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    OpenAiError error;
    if (failure instanceof OpenAiError openAiError) {
      error = openAiError;
    } else if (failure == null && ctx.statusCode() >= 400) {
      error = OpenAiError.forStatus(ctx.statusCode());
    } else {
      LOG.log(Level.WARNING, "Unexpected failure answering " + ctx.request().method() + " " + ctx.request().path(),
          failure);
      error = OpenAiError.forStatus(500);
    }
    answer(ctx, error);
  }

  static void answer(RoutingContext ctx, OpenAiError error) {
    serve(ctx);
    AccountState account = ctx.get(ACCOUNT);
    if (account != null) {
      account.ledger().countOpenAiError();
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
        .putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
        .end(error.toJson().encode());
  }
}
