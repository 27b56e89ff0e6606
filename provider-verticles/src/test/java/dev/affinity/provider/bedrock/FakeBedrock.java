package dev.affinity.provider.bedrock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

import java.net.URI;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Bedrock runtime endpoint small enough to read: it checks every request's SigV4 signature the way AWS does
 * (recomputing it from what arrived, with the secret it knows for the access key), then answers InvokeModel with an
 * Anthropic message, InvokeModelWithResponseStream with event-stream frames, and model ids starting with
 * {@code throttled} with a ThrottlingException.
 */
final class FakeBedrock {

  private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/"
      + "([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  static final String MESSAGE = """
      {"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
      "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,\
      "usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":2}}""";

  /** What one request looked like once its signature was checked. */
  record Received(String path, String accessKeyId, String region, String service, List<String> signedHeaders,
                  JsonObject body) {
  }

  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  FakeBedrock secret(String accessKeyId, String secretAccessKey) {
    secrets.put(accessKeyId, secretAccessKey);
    return this;
  }

  Future<Integer> start(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> answer(request,
        body)));
    return server.listen(0, "127.0.0.1").map(HttpServer::actualPort);
  }

  private void answer(HttpServerRequest request, Buffer body) {
    Matcher auth = AUTHORIZATION.matcher(String.valueOf(request.getHeader("authorization")));
    if (!auth.matches()) {
      error(request, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      return;
    }
    String secret = secrets.get(auth.group(1));
    if (secret == null) {
      error(request, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
      return;
    }
    List<String> signedHeaders = List.of(auth.group(5).split(";"));
    if (!recomputed(request, body, auth, secret, signedHeaders).equals(request.getHeader("authorization"))) {
      error(request, 403, "InvalidSignatureException", "The request signature we calculated does not match the"
          + " signature you provided. The Canonical String for this request should have been 'POST " + request.path()
          + "'");
      return;
    }
    received.add(new Received(request.path(), auth.group(1), auth.group(3), auth.group(4), signedHeaders,
        body.toJsonObject()));
    if (request.path().startsWith("/model/throttled")) {
      error(request, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
    } else if (request.path().endsWith("/invoke-with-response-stream")) {
      request.response().setChunked(true).putHeader("content-type", "application/vnd.amazon.eventstream")
          .putHeader("x-amzn-requestid", "req-stream");
      EventStreamToSseTest.EVENTS.forEach(event ->
          request.response().write(Buffer.buffer(EventStreamToSse.chunkFrame(event))));
      request.response().end();
    } else if (request.path().endsWith("/count-tokens")) {
      request.response().putHeader("content-type", "application/json").end("{\"inputTokens\":42}");
    } else {
      request.response().putHeader("content-type", "application/json").putHeader("x-amzn-requestid", "req-invoke")
          .end(MESSAGE);
    }
  }

  /** The Authorization header AWS would compute for what arrived, signed at the request's own X-Amz-Date. */
  private static String recomputed(HttpServerRequest request, Buffer body, Matcher auth, String secret,
                                   List<String> signedHeaders) {
    SdkHttpRequest.Builder expected = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
        .uri(URI.create("http://" + request.getHeader("host") + request.uri()));
    signedHeaders.stream().filter(name -> !name.equals("host") && !name.equals("x-amz-date"))
        .forEach(name -> expected.putHeader(name, request.getHeader(name)));
    String token = request.getHeader("x-amz-security-token");
    AwsCredentialsIdentity identity = token == null ? AwsCredentialsIdentity.create(auth.group(1), secret)
        : AwsSessionCredentialsIdentity.create(auth.group(1), secret, token);
    LocalDateTime signedAt = LocalDateTime.parse(request.getHeader("x-amz-date"), AMZ_DATE);
    return AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(expected.build())
            .payload(ContentStreamProvider.fromByteArray(body.getBytes()))
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, auth.group(4))
            .putProperty(AwsV4HttpSigner.REGION_NAME, auth.group(3))
            .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt.toInstant(ZoneOffset.UTC),
                ZoneOffset.UTC)))
        .request().firstMatchingHeader("Authorization").orElse("");
  }

  private static void error(HttpServerRequest request, int status, String type, String message) {
    request.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
        .end(new JsonObject().put("message", message).encode());
  }

  Future<Void> close() {
    return server.close();
  }
}
