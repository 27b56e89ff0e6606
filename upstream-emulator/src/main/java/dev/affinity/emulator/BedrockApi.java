package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Bedrock Runtime's invoke routes, {@code POST /model/{modelId}/invoke} and
 * {@code POST /model/{modelId}/invoke-with-response-stream}: authentication by AWS SigV4 (the account whose access
 * key id signed), request capture, {@code x-amzn-RequestId}, and Bedrock's error shape for every failure under
 * {@code /model/}.
 */
final class BedrockApi {

  static final String ACCOUNT = "emulator.bedrock.account";
  static final String MODEL_ID = "emulator.bedrock.model-id";
  /** Set once a request is known to be a Bedrock one: its failures are answered in Bedrock's shape. */
  private static final String SERVED = "emulator.bedrock.served";

  static final String REQUEST_ID_HEADER = "x-amzn-RequestId";
  static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

  private static final System.Logger LOG = System.getLogger(BedrockApi.class.getName());
  private static final String MODEL_PREFIX = "/model/";
  private static final String INVOKE = "/invoke";
  private static final String INVOKE_STREAM = "/invoke-with-response-stream";

  private final EmulatorState state;
  private final BedrockEndpoint endpoint;

  BedrockApi(Vertx vertx, EmulatorState state) {
    this.state = state;
    this.endpoint = new BedrockEndpoint(vertx, state);
  }

  void mount(Router router) {
    // Registered before the catch-all Anthropic failure handler, so every failure under /model/ (a body over the
    // size limit included) is answered the Bedrock way.
    router.route(MODEL_PREFIX + "*").failureHandler(BedrockApi::answerFailure);
    // ".+" rather than "[^/]+": a model ARN's "/" arrives encoded, and must not depend on how the path is normalised.
    router.postWithRegex(MODEL_PREFIX + "(.+)" + INVOKE).handler(ctx -> invoke(ctx, false));
    router.postWithRegex(MODEL_PREFIX + "(.+)" + INVOKE_STREAM).handler(ctx -> invoke(ctx, true));
  }

  private void invoke(RoutingContext ctx, boolean stream) {
    serve(ctx);
    authenticate(ctx);
    endpoint.handle(ctx, stream);
  }

  private void authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      throw BedrockError.missingAuthentication();
    }
    SigV4Authorization authorization = SigV4Authorization.parse(header);
    AccountState account = state.accountForAccessKeyId(authorization.accessKeyId());
    if (account == null) {
      throw BedrockError.unrecognizedClient();
    }
    AwsCredentials credentials = account.config().aws();
    if (!sameToken(credentials.sessionToken(), request.getHeader("x-amz-security-token"))) {
      throw BedrockError.unrecognizedClient();
    }
    SigV4Verifier.verify(new SigV4Verifier.Received(request.method().name(), request.path(), request.query(),
        host(request), request.headers(), RawBody.of(ctx)), authorization, credentials,
        state.signingClock().instant());
    account.requests().add(new CapturedRequest(request.method().name(), request.uri(),
        CapturedRequest.redacted(request.headers()), RawBody.of(ctx).toString(StandardCharsets.UTF_8),
        state.clock().now()));
    account.ledger().countRequest();
    ctx.put(ACCOUNT, account);
    ctx.put(MODEL_ID, modelId(request.path()));
  }

  private static String host(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.HOST);
    if (header != null) {
      return header;
    }
    HostAndPort authority = request.authority();
    if (authority == null) {
      return "";
    }
    return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
  }

  private static boolean sameToken(String expected, String presented) {
    if (expected == null || presented == null) {
      return expected == null && presented == null;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        presented.getBytes(StandardCharsets.UTF_8));
  }

  /** The model id between {@code /model/} and the operation, percent-decoded ({@code %3A} is {@code :}). */
  static String modelId(String rawPath) {
    String operation = rawPath.endsWith(INVOKE_STREAM) ? INVOKE_STREAM : INVOKE;
    return SigV4Verifier.percentDecode(
        rawPath.substring(MODEL_PREFIX.length(), rawPath.length() - operation.length()));
  }

  /** Marks the request as Bedrock's: a Bedrock request id replaces Anthropic's {@code request-id}. Idempotent. */
  private static void serve(RoutingContext ctx) {
    if (ctx.get(SERVED) != null) {
      return;
    }
    ctx.put(SERVED, Boolean.TRUE);
    HttpServerResponse response = ctx.response();
    response.headers().remove("request-id");
    response.putHeader(REQUEST_ID_HEADER, UUID.randomUUID().toString());
  }

  /** Answers any failure of a Bedrock route in Bedrock's error shape, and counts it against the account. */
  static void answerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    BedrockError error;
    if (failure instanceof BedrockError bedrockError) {
      error = bedrockError;
    } else if (failure instanceof ApiError apiError) {
      error = BedrockError.from(apiError);
    } else if (failure == null && ctx.statusCode() >= 400) {
      error = BedrockError.forStatus(ctx.statusCode(), null);
    } else {
      LOG.log(Level.WARNING, "Unexpected failure answering " + ctx.request().method() + " " + ctx.request().path(),
          failure);
      error = BedrockError.forStatus(500, null);
    }
    answer(ctx, error);
  }

  static void answer(RoutingContext ctx, BedrockError error) {
    serve(ctx);
    AccountState account = ctx.get(ACCOUNT);
    if (account != null) {
      account.ledger().countError();
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      String exceptionType = error.streamExceptionType();
      if (exceptionType != null && EventStreamFrames.CONTENT_TYPE.equals(response.headers().get(
          HttpHeaders.CONTENT_TYPE))) {
        response.end(EventStreamFrames.exception(exceptionType, error.getMessage()));
      } else {
        // Too late for a status: cut the answer, as a real upstream failing mid-answer does.
        ctx.request().connection().close();
      }
      return;
    }
    response.setStatusCode(error.status())
        .putHeader(ERROR_TYPE_HEADER, error.errorType())
        .putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
        .end(error.toJson().encode());
  }
}
