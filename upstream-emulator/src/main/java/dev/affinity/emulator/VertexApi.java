package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Claude on Vertex AI: {@code POST /v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict}
 * (and {@code :streamRawPredict}, and {@code count-tokens:rawPredict}), authenticated by OAuth access tokens that the
 * emulator's own Google token endpoint, {@code POST /token}, issues to service accounts for a signed JWT.
 *
 * <p>The body is the Messages API body without {@code model} (it is in the path) and with
 * {@code "anthropic_version": "vertex-2023-10-16"}; it is then served by the Messages machinery with the account's
 * Vertex prompt cache, so caching, answers and streams are Anthropic's. Errors of Google's front end (credentials,
 * permissions, quota, unknown routes) come in Google's shape ({@link VertexError}); what the model rejects comes in
 * Anthropic's, as on the real service.
 *
 * <p>Gemini on Vertex AI: {@code POST .../publishers/google/models/{model}:generateContent} (and
 * {@code :streamGenerateContent}, {@code :countTokens}) with the same tokens, answered by the Gemini API's machinery
 * ({@link GeminiApi}) with implicit caching in a cache of the account's apart from its Gemini API one.
 */
final class VertexApi {

  static final String TOKEN_PATH = "/token";
  static final String ANTHROPIC_VERSION = "vertex-2023-10-16";
  static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
  static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  /** The model path segment of the token-counting route, whose body names the model. */
  static final String COUNT_TOKENS = "count-tokens";

  private static final String PREFIX = "/v1/projects/";
  private static final String PREDICT = "/v1/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+)"
      + ":(rawPredict|streamRawPredict)";
  private static final String GENERATE = "/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+)"
      + ":(generateContent|streamGenerateContent|countTokens)";
  private static final String MODEL = "emulator.vertex.model";

  private final EmulatorState state;
  private final MessagesEndpoint messages;
  private final GeminiApi gemini;
  private final GeminiCaches geminiCaches;

  VertexApi(Vertx vertx, EmulatorState state) {
    this.state = state;
    this.messages = new MessagesEndpoint(vertx, state);
    this.gemini = new GeminiApi(vertx, state);
    this.geminiCaches = GeminiCaches.of(state);
  }

  /** Mounts the routes; before the Anthropic ones, whose {@code /v1/*} authentication wants an API key. */
  void mount(Router router) {
    router.post(TOKEN_PATH).handler(this::token);
    router.route(PREFIX + "*").failureHandler(VertexApi::answerFailure);
    router.postWithRegex(PREDICT).handler(this::predict);
    router.postWithRegex(GENERATE).handler(this::generate);
    router.route(PREFIX + "*").handler(ctx -> {
      throw VertexError.notFound(ctx.request().path());
    });
  }

  /** The OAuth 2.0 JWT bearer grant (RFC 7523) as Google's token endpoint serves it to service accounts. */
  private void token(RoutingContext ctx) {
    Map<String, String> form = form(RawBody.of(ctx));
    try {
      if (!JWT_BEARER_GRANT.equals(form.get("grant_type"))) {
        throw new JwtAssertion.TokenError(400, "unsupported_grant_type", "Invalid grant_type: "
            + form.getOrDefault("grant_type", ""));
      }
      JwtAssertion assertion = JwtAssertion.parse(form.get("assertion"));
      AccountState account = accountOf(assertion.issuer());
      if (account == null) {
        throw JwtAssertion.TokenError.invalidGrant("Invalid grant: account not found");
      }
      assertion.verify(account.config().vertex().publicKey(), state.signingClock().instant());
      if (!List.of(assertion.scope().split(" ")).contains(CLOUD_PLATFORM_SCOPE)) {
        throw new JwtAssertion.TokenError(400, "invalid_scope", "Vertex AI needs the scope " + CLOUD_PLATFORM_SCOPE);
      }
      String token = account.vertexTokens().issue(state.clock().now());
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      AnthropicApi.sendJson(ctx, new JsonObject().put("access_token", token)
          .put("expires_in", VertexTokens.LIFETIME.toSeconds()).put("token_type", "Bearer").encode());
    } catch (JwtAssertion.TokenError refused) {
      ctx.response().setStatusCode(refused.status()).putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
          .end(refused.toJson().encode());
    }
  }

  private AccountState accountOf(String clientEmail) {
    for (AccountState account : state.accounts()) {
      if (account.config().vertex() != null && account.config().vertex().clientEmail().equals(clientEmail)) {
        return account;
      }
    }
    return null;
  }

  private static Map<String, String> form(Buffer body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  private void predict(RoutingContext ctx) {
    String project = SigV4Verifier.percentDecode(ctx.pathParam("param0"));
    String model = SigV4Verifier.percentDecode(ctx.pathParam("param2"));
    ctx.put(MODEL, model);
    AccountState account = authenticate(ctx, project);
    ctx.put(AnthropicApi.ACCOUNT, account.onVertex());
    JsonObject body = vertexBody(RawBody.of(ctx));
    if (model.equals(COUNT_TOKENS)) {
      PromptLayout layout = MessagesRequest.parseForCounting(body.toBuffer());
      AnthropicApi.sendJson(ctx, new JsonObject().put("input_tokens", layout.totalTokens()).encode());
      return;
    }
    if (body.containsKey("model")) {
      throw ApiError.invalidRequest("model: Extra inputs are not permitted (the model is named in the URL)");
    }
    // The Messages machinery reads the model from the body: the path's id (claude-sonnet-4-5@20250929) keys the
    // account's Vertex cache, counters and answers.
    RawBody.replace(ctx, body.put("model", model).toBuffer());
    messages.handle(ctx);
  }

  /**
   * Gemini on Vertex AI: the Gemini API's answers, implicit caching and errors, behind the project's access tokens,
   * with the project's own cache (per model, as every Gemini cache).
   */
  private void generate(RoutingContext ctx) {
    String project = SigV4Verifier.percentDecode(ctx.pathParam("param0"));
    String model = SigV4Verifier.percentDecode(ctx.pathParam("param2"));
    ctx.put(MODEL, model);
    AccountState account = authenticate(ctx, project);
    ctx.put(AnthropicApi.ACCOUNT, account);
    gemini.serve(ctx, account, model, ctx.pathParam("param3"), geminiCaches.onVertex(account));
  }

  /** The account whose service account was issued the bearer token, if it may call {@code project}. */
  private AccountState authenticate(RoutingContext ctx, String project) {
    HttpServerRequest request = ctx.request();
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw VertexError.missingCredentials();
    }
    String token = authorization.substring(7).trim();
    Instant now = state.clock().now();
    AccountState holder = null;
    for (AccountState account : state.accounts()) {
      if (account.config().vertex() != null && account.vertexTokens().valid(token, now)) {
        holder = account;
        break;
      }
    }
    if (holder == null) {
      throw VertexError.invalidCredentials();
    }
    if (!holder.config().vertex().project().equals(project)) {
      throw VertexError.permissionDenied("//aiplatform.googleapis.com" + request.path().substring(3)
          .replaceFirst(":[A-Za-z]+$", ""));
    }
    holder.requests().add(new CapturedRequest(request.method().name(), request.uri(),
        CapturedRequest.redacted(request.headers()), RawBody.of(ctx).toString(StandardCharsets.UTF_8), now));
    holder.ledger().countRequest();
    return holder;
  }

  /** The body as a JSON object carrying Vertex's {@code anthropic_version}; answered like the model would if not. */
  private static JsonObject vertexBody(Buffer raw) {
    JsonObject body;
    try {
      body = raw.length() > 0 && raw.toJsonValue() instanceof JsonObject json ? json : null;
    } catch (DecodeException malformed) {
      throw ApiError.invalidRequest("There was an error parsing the body of your request: invalid JSON");
    }
    if (body == null) {
      throw ApiError.invalidRequest("The request body must be a JSON object");
    }
    Object version = body.getValue("anthropic_version");
    if (version == null) {
      throw ApiError.invalidRequest("anthropic_version: Field required");
    }
    if (!ANTHROPIC_VERSION.equals(version)) {
      throw ApiError.invalidRequest("anthropic_version: Input should be '" + ANTHROPIC_VERSION + "'");
    }
    return body;
  }

  /**
   * Answers a failure of a Vertex route: Google's shape for the front end's errors (a rate limit included: on Vertex
   * it is a project quota) and for what Gemini rejects, Anthropic's for what Claude rejects.
   */
  static void answerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof VertexError error) {
      answer(ctx, error);
    } else if (failure instanceof GeminiError) {
      GeminiApi.answerFailure(ctx);
    } else if (failure instanceof ApiError error && error.status() == 429) {
      answer(ctx, VertexError.quotaExceeded(ctx.get(MODEL, "claude")));
    } else {
      AnthropicApi.answerFailure(ctx);
    }
  }

  static void answer(RoutingContext ctx, VertexError error) {
    AccountState account = ctx.get(AnthropicApi.ACCOUNT);
    if (account != null) {
      account.ledger().countError();
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    response.setStatusCode(error.code()).putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
        .end(error.toJson().encode());
  }
}
