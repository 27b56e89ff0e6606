package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.marked;
import static dev.affinity.emulator.ApiCalls.text;
import static dev.affinity.emulator.ApiCalls.textOfTokens;
import static dev.affinity.emulator.ApiCalls.userSays;
import static dev.affinity.emulator.BedrockCalls.MODEL_ID;
import static dev.affinity.emulator.BedrockCalls.anthropicEvents;
import static dev.affinity.emulator.BedrockCalls.frames;
import static dev.affinity.emulator.BedrockCalls.header;
import static dev.affinity.emulator.BedrockCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.eventstream.Message;

/** Bedrock Runtime accounts: SigV4 as the AWS SDK signs, InvokeModel, the event stream, caching, errors, faults. */
@ExtendWith(VertxExtension.class)
class BedrockApiTest {

  private static final String API_KEY = "sk-emu-both";
  private static final AwsCredentialsIdentity BOTH = AwsCredentialsIdentity.create("AKIDBOTH0000000000", "both/Secret");
  private static final AwsCredentialsIdentity OTHER =
      AwsCredentialsIdentity.create("AKIDOTHER000000000", "otherSecret");
  private static final AwsSessionCredentialsIdentity SESSION =
      AwsSessionCredentialsIdentity.create("ASIASESSION0000000", "sessionSecret", "FwoGZXIvYXdzEJr//token==");
  private static final AwsCredentialsIdentity LIMITED =
      AwsCredentialsIdentity.create("AKIDLIMITED0000000", "limitedSecret");

  private UpstreamEmulator emulator;
  private BedrockCalls bedrock;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount(AccountConfig.of("both", API_KEY)
            .withAws(AwsCredentials.of(BOTH.accessKeyId(), BOTH.secretAccessKey())))
        .addAwsAccount("other", OTHER.accessKeyId(), OTHER.secretAccessKey())
        .addAccount(AccountConfig.aws("session", new AwsCredentials(SESSION.accessKeyId(),
            SESSION.secretAccessKey(), SESSION.sessionToken())))
        .addAccount(AccountConfig.aws("limited", AwsCredentials.of(LIMITED.accessKeyId(),
            LIMITED.secretAccessKey())).withRpm(2))).await();
    bedrock = new BedrockCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject body(JsonArray messages) {
    return new JsonObject().put("anthropic_version", "bedrock-2023-05-31").put("max_tokens", 64)
        .put("messages", messages);
  }

  private static JsonObject hello() {
    return body(new JsonArray().add(userSays("hello")));
  }

  /** A system prompt of 1100 tokens with a breakpoint: above Claude Sonnet's 1024-token minimum. */
  private static JsonObject cacheable() {
    return hello().put("system", new JsonArray().add(marked(text(textOfTokens(1100, 's')))));
  }

  private static String bodyText(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static void assertBedrockError(HttpResponse<byte[]> response, int status, String code, String message) {
    assertThat(response.statusCode()).as(bodyText(response)).isEqualTo(status);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValueSatisfying(type ->
        assertThat(type).startsWith(code + ":http://internal.amazon.com/coral/"));
    assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
    assertThat(json(response).fieldNames()).containsExactly("message");
    assertThat(json(response).getString("message")).contains(message);
  }

  @Test
  void aRequestSignedByTheAwsSdkIsAnsweredWithAnAnthropicMessageAndBedrocksHeaders() {
    JsonObject request = hello();
    HttpResponse<byte[]> response = bedrock.invoke(BOTH, request);

    assertThat(response.statusCode()).as(bodyText(response)).isEqualTo(200);
    JsonObject message = json(response);
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("id")).startsWith("msg_bdrk_01");
    assertThat(message.getString("model")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("text")).isNotBlank();
    assertThat(message.getJsonObject("usage").getLong("input_tokens")).isEqualTo(5);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-amzn-RequestId")).hasValueSatisfying(id ->
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
    assertThat(response.headers().firstValue("request-id")).isEmpty();
    assertThat(response.headers().firstValue("x-amzn-bedrock-input-token-count")).hasValue("5");
    assertThat(response.headers().firstValue("x-amzn-bedrock-output-token-count")).hasValue("24");
    assertThat(response.headers().firstValue("x-amzn-bedrock-invocation-latency")).isPresent();

    AccountCounters counters = emulator.counters("both");
    assertThat(counters.requests()).isEqualTo(1);
    assertThat(counters.inputTokens()).isEqualTo(5);
    assertThat(counters.outputTokens()).isEqualTo(24);
    assertThat(counters.models()).containsOnlyKeys(MODEL_ID);
    assertThat(emulator.counters("other").requests()).isZero();

    CapturedRequest captured = emulator.capturedRequests("both").get(0);
    assertThat(captured.uri()).isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    assertThat(captured.header("authorization")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(captured.header("x-amz-date")).matches("\\d{8}T\\d{6}Z");
    assertThat(captured.body()).isEqualTo(request.encode());
  }

  @Test
  void aWrongSecretIsAnInvalidSignature() {
    AwsCredentialsIdentity wrongSecret = AwsCredentialsIdentity.create(BOTH.accessKeyId(), "not-the-secret");
    HttpResponse<byte[]> response = bedrock.invoke(wrongSecret, hello());

    assertBedrockError(response, 403, "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided.");
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue(
        "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/");
    assertThat(bodyText(response)).doesNotContain(BOTH.secretAccessKey()).doesNotContain("not-the-secret");
    assertThat(emulator.counters("both").requests()).isZero();
    assertThat(emulator.capturedRequests("both")).isEmpty();
  }

  @Test
  void anUnknownAccessKeyIsAnUnrecognizedClient() {
    HttpResponse<byte[]> response =
        bedrock.invoke(AwsCredentialsIdentity.create("AKIDUNKNOWN0000000", "whatever"), hello());

    assertBedrockError(response, 403, "UnrecognizedClientException",
        "The security token included in the request is invalid.");
  }

  @Test
  void anUnsignedRequestIsMissingItsAuthenticationToken() {
    HttpRequest unsigned = HttpRequest.newBuilder(URI.create(bedrock.url(BedrockCalls.invokePath(MODEL_ID, false))))
        .POST(HttpRequest.BodyPublishers.ofString(hello().encode())).build();

    assertBedrockError(bedrock.send(unsigned), 403, "MissingAuthenticationTokenException",
        "Missing Authentication Token");
  }

  @Test
  void aBodyChangedAfterSigningIsAnInvalidSignature() {
    String path = BedrockCalls.invokePath(MODEL_ID, false);
    SignedRequest signed = bedrock.sign(BOTH, path, hello().encode(), Clock.systemUTC());

    HttpResponse<byte[]> response = bedrock.send(signed, hello().put("max_tokens", 65).encode());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValueSatisfying(type ->
        assertThat(type).startsWith("InvalidSignatureException:"));
  }

  @Test
  void aSignatureOlderThanFiveMinutesHasExpired() {
    Clock sixMinutesAgo = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-6));
    HttpResponse<byte[]> response =
        bedrock.send(BOTH, BedrockCalls.invokePath(MODEL_ID, false), hello().encode(), sixMinutesAgo);

    assertBedrockError(response, 403, "InvalidSignatureException", "Signature expired: ");
  }

  @Test
  void aSessionTokenMustBeTheAccountsOne() {
    assertThat(bedrock.invoke(SESSION, hello()).statusCode()).isEqualTo(200);
    assertThat(emulator.capturedRequests("session").get(0).header("x-amz-security-token"))
        .isEqualTo(CapturedRequest.REDACTED);

    AwsCredentialsIdentity withoutToken =
        AwsCredentialsIdentity.create(SESSION.accessKeyId(), SESSION.secretAccessKey());
    assertBedrockError(bedrock.invoke(withoutToken, hello()), 403, "UnrecognizedClientException",
        "The security token included in the request is invalid.");
    AwsSessionCredentialsIdentity otherToken = AwsSessionCredentialsIdentity.create(SESSION.accessKeyId(),
        SESSION.secretAccessKey(), "another-token");
    assertThat(bedrock.invoke(otherToken, hello()).statusCode()).isEqualTo(403);
  }

  @Test
  void anInferenceProfileArnIsAModelIdToo() {
    String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/" + MODEL_ID;
    HttpResponse<byte[]> response =
        bedrock.send(BOTH, BedrockCalls.invokePath(arn, false), hello().encode(), Clock.systemUTC());

    assertThat(response.statusCode()).as(bodyText(response)).isEqualTo(200);
    assertThat(json(response).getString("model")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(emulator.counters("both").models()).containsOnlyKeys(arn);
  }

  @Test
  void aBreakpointIsWrittenThenReadWithBedrocksCountHeaders() {
    HttpResponse<byte[]> first = bedrock.invoke(BOTH, cacheable());
    JsonObject written = json(first).getJsonObject("usage");
    assertThat(written.getLong("cache_creation_input_tokens")).isEqualTo(1100);
    assertThat(written.getLong("cache_read_input_tokens")).isZero();
    assertThat(first.headers().firstValue("x-amzn-bedrock-cache-write-input-token-count")).hasValue("1100");
    assertThat(first.headers().firstValue("x-amzn-bedrock-cache-read-input-token-count")).hasValue("0");

    HttpResponse<byte[]> second = bedrock.invoke(BOTH, cacheable());
    JsonObject read = json(second).getJsonObject("usage");
    assertThat(read.getLong("cache_read_input_tokens")).isEqualTo(1100);
    assertThat(read.getLong("cache_creation_input_tokens")).isZero();
    assertThat(read.getLong("input_tokens")).isEqualTo(5);
    assertThat(second.headers().firstValue("x-amzn-bedrock-cache-read-input-token-count")).hasValue("1100");
    assertThat(second.headers().firstValue("x-amzn-bedrock-input-token-count")).hasValue("5");

    AccountCounters counters = emulator.counters("both");
    assertThat(counters.cacheCreationInputTokens()).isEqualTo(1100);
    assertThat(counters.cacheReadInputTokens()).isEqualTo(1100);
    // Another AWS account has its own cache.
    assertThat(json(bedrock.invoke(OTHER, cacheable())).getJsonObject("usage")
        .getLong("cache_creation_input_tokens")).isEqualTo(1100);
  }

  @Test
  void theAccountsBedrockCacheIsNotItsAnthropicCache() {
    bedrock.invoke(BOTH, cacheable());

    // The same prompt, even under the same model id, on the account's Anthropic API key: written again.
    JsonObject anthropic = cacheable().put("model", MODEL_ID);
    anthropic.remove("anthropic_version");
    JsonObject usage = new ApiCalls(emulator).usage(API_KEY, anthropic);
    assertThat(usage.getLong("cache_creation_input_tokens")).isEqualTo(1100);
    assertThat(usage.getLong("cache_read_input_tokens")).isZero();
  }

  @Test
  void theStreamIsEventStreamFramesCarryingAnthropicEventsAndTheInvocationMetrics() {
    bedrock.invoke(BOTH, cacheable());
    HttpResponse<byte[]> response = bedrock.invokeStream(BOTH, cacheable());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
    assertThat(response.headers().firstValue("x-amzn-bedrock-content-type")).hasValue("application/json");
    List<Message> frames = frames(response.body());
    for (Message frame : frames) {
      assertThat(header(frame, ":event-type")).isEqualTo("chunk");
      assertThat(header(frame, ":content-type")).isEqualTo("application/json");
      assertThat(header(frame, ":message-type")).isEqualTo("event");
    }
    List<JsonObject> events = anthropicEvents(frames);
    List<String> types = events.stream().map(event -> event.getString("type")).toList();
    assertThat(types).startsWith("message_start", "content_block_start", "content_block_delta")
        .endsWith("content_block_stop", "message_delta", "message_stop")
        .doesNotContain("ping")
        .hasSize(24 + 5);
    JsonObject start = events.get(0).getJsonObject("message");
    assertThat(start.getString("id")).startsWith("msg_bdrk_");
    assertThat(start.getString("model")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(start.getJsonObject("usage").getLong("cache_read_input_tokens")).isEqualTo(1100);

    JsonObject metrics = events.get(events.size() - 1).getJsonObject("amazon-bedrock-invocationMetrics");
    assertThat(metrics.getLong("inputTokenCount")).isEqualTo(5);
    assertThat(metrics.getLong("outputTokenCount")).isEqualTo(24);
    assertThat(metrics.getLong("cacheReadInputTokenCount")).isEqualTo(1100);
    assertThat(metrics.getLong("cacheWriteInputTokenCount")).isZero();
    assertThat(metrics.getLong("invocationLatency")).isGreaterThanOrEqualTo(metrics.getLong("firstByteLatency"));
    assertThat(emulator.counters("both").outputTokens()).isEqualTo(48);
  }

  @Test
  void aCorruptedFrameFailsItsChecksum() {
    byte[] stream = bedrock.invokeStream(BOTH, hello()).body();
    assertThat(frames(stream)).isNotEmpty();

    byte[] corrupted = stream.clone();
    // Inside the first frame's payload: past the 12-byte prelude and 75 bytes of headers.
    corrupted[100] ^= 0x01;
    assertThatThrownBy(() -> frames(corrupted)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checksum");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no anthropic_version|{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|Malformed input request: #: required key [anthropic_version] not found, please reformat your input"
          + " and try again.",
      "a model field|{\"anthropic_version\":\"bedrock-2023-05-31\",\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|#: extraneous key [model] is not permitted",
      "a stream field|{\"anthropic_version\":\"bedrock-2023-05-31\",\"stream\":true,\"max_tokens\":5,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|#: extraneous key [stream] is not permitted",
      "top-level cache_control|{\"anthropic_version\":\"bedrock-2023-05-31\",\"cache_control\":{\"type\":"
          + "\"ephemeral\"},\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|#: extraneous key [cache_control] is not permitted",
      "Anthropic's version|{\"anthropic_version\":\"2023-06-01\",\"max_tokens\":5,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|#/anthropic_version: 2023-06-01 is not a valid",
      "not json|{\"anthropic_version\":|Malformed input request",
      "five breakpoints|{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":5,\"system\":["
          + "{\"type\":\"text\",\"text\":\"a\",\"cache_control\":{\"type\":\"ephemeral\"}},"
          + "{\"type\":\"text\",\"text\":\"b\",\"cache_control\":{\"type\":\"ephemeral\"}},"
          + "{\"type\":\"text\",\"text\":\"c\",\"cache_control\":{\"type\":\"ephemeral\"}},"
          + "{\"type\":\"text\",\"text\":\"d\",\"cache_control\":{\"type\":\"ephemeral\"}},"
          + "{\"type\":\"text\",\"text\":\"e\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
          + "|A maximum of 4 blocks with cache_control may be provided. Found 5."
  })
  void invalidBodiesAreValidationExceptions(String name, String body, String message) {
    HttpResponse<byte[]> response =
        bedrock.send(BOTH, BedrockCalls.invokePath(MODEL_ID, false), body, Clock.systemUTC());

    assertBedrockError(response, 400, "ValidationException", message);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue(
        "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/");
    assertThat(emulator.counters("both").errors()).isEqualTo(1);
  }

  @Test
  void statusFaultsAreAnsweredAsBedrockErrors() {
    emulator.injectFault(Fault.status(429).forAccount("both"));
    emulator.injectFault(Fault.status(529).forAccount("both"));
    emulator.injectFault(Fault.status(500).forAccount("both"));

    assertBedrockError(bedrock.invoke(BOTH, hello()), 429, "ThrottlingException",
        "Too many requests, please wait before trying again.");
    assertBedrockError(bedrock.invoke(BOTH, hello()), 503, "ServiceUnavailableException", "");
    assertBedrockError(bedrock.invoke(BOTH, hello()), 500, "InternalServerException", "");
    assertThat(bedrock.invoke(BOTH, hello()).statusCode()).isEqualTo(200);
    assertThat(emulator.counters("both").errors()).isEqualTo(3);
  }

  @Test
  void aStatusFaultOnAStreamIsASingleExceptionMessage() {
    emulator.injectFault(Fault.status(429).forAccount("both"));

    HttpResponse<byte[]> response = bedrock.invokeStream(BOTH, hello());

    assertThat(response.statusCode()).isEqualTo(200);
    List<Message> frames = frames(response.body());
    assertThat(frames).hasSize(1);
    assertThat(header(frames.get(0), ":message-type")).isEqualTo("exception");
    assertThat(header(frames.get(0), ":exception-type")).isEqualTo("throttlingException");
    assertThat(new JsonObject(new String(frames.get(0).getPayload(), StandardCharsets.UTF_8)).getString("message"))
        .isEqualTo("Too many requests, please wait before trying again.");
    assertThat(emulator.counters("both").errors()).isEqualTo(1);
  }

  @Test
  void aStallMidStreamSendsTheFirstChunkThenNothing() throws Exception {
    emulator.injectFault(Fault.stallMidStream().forAccount("both"));
    String body = hello().encode();
    SignedRequest signed = bedrock.sign(BOTH, BedrockCalls.invokePath(MODEL_ID, true), body, Clock.systemUTC());
    HttpRequest.Builder request = HttpRequest.newBuilder(signed.request().getUri())
        .POST(HttpRequest.BodyPublishers.ofString(body));
    signed.request().forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("host")) {
        values.forEach(value -> request.header(name, value));
      }
    });

    HttpResponse<InputStream> response = HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream stream = response.body()) {
      assertThat(response.statusCode()).isEqualTo(200);
      byte[] prelude = stream.readNBytes(4);
      int length = ByteBuffer.wrap(prelude).getInt();
      byte[] frame = ByteBuffer.allocate(length).put(prelude).put(stream.readNBytes(length - 4)).array();
      assertThat(anthropicEvents(frames(frame))).singleElement()
          .satisfies(event -> assertThat(event.getString("type")).isEqualTo("message_start"));
    }
    assertThat(emulator.counters("both").errors()).isEqualTo(1);
  }

  @Test
  void anAccountOverItsRequestLimitIsThrottledBeforeTheStreamOpens() {
    assertThat(bedrock.invoke(LIMITED, hello()).statusCode()).isEqualTo(200);
    assertThat(bedrock.invokeStream(LIMITED, hello()).statusCode()).isEqualTo(200);

    assertBedrockError(bedrock.invokeStream(LIMITED, hello()), 429, "ThrottlingException", "Too many requests");
  }
}
