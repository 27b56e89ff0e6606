package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.marked;
import static dev.affinity.emulator.ApiCalls.text;
import static dev.affinity.emulator.ApiCalls.textOfTokens;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Vertex AI accounts: the JWT bearer grant at /token, then rawPredict and streamRawPredict with the tokens. */
@ExtendWith(VertxExtension.class)
class VertexApiTest {

  private static final String PROJECT = "proj-one";
  private static final String EMAIL = "gateway@proj-one.iam.gserviceaccount.com";
  private static final String OTHER_PROJECT = "proj-two";
  private static final String OTHER_EMAIL = "gateway@proj-two.iam.gserviceaccount.com";
  private static final String MODEL = "claude-sonnet-4-5@20250929";
  private static final String GEMINI = "gemini-2.5-flash";
  private static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
  /** 1100 tokens: above the 1024 minimum of claude-sonnet-4-5. */
  private static final String LONG = textOfTokens(1100, 'v');

  private static KeyPair keys;
  private static KeyPair otherKeys;

  private final HttpClient http = HttpClient.newHttpClient();
  private UpstreamEmulator emulator;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    otherKeys = generator.generateKeyPair();
  }

  @BeforeEach
  void start(Vertx vertx) {
    String otherPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(otherKeys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addVertexAccount("vertex-1", PROJECT, EMAIL, (RSAPublicKey) keys.getPublic())
        .addVertexAccount("vertex-2", OTHER_PROJECT, OTHER_EMAIL, otherPem)
        .addAccount("anthropic", "sk-emu-1")).await();
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  @Test
  void aSignedAssertionIsExchangedForAnHourLongBearerToken() {
    HttpResponse<String> response = tokenRequest(assertion(EMAIL, keys.getPrivate(), Instant.now()));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject token = new JsonObject(response.body());
    assertThat(token.getString("access_token")).startsWith("ya29.");
    assertThat(token.getLong("expires_in")).isEqualTo(3600);
    assertThat(token.getString("token_type")).isEqualTo("Bearer");
  }

  @Test
  void anAssertionSignedByAnotherKeyIsRefused() {
    HttpResponse<String> response = tokenRequest(assertion(EMAIL, otherKeys.getPrivate(), Instant.now()));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(new JsonObject(response.body()).getString("error_description")).isEqualTo("Invalid JWT Signature.");
  }

  @Test
  void anExpiredAssertionOrAnUnknownServiceAccountIsRefused() {
    HttpResponse<String> expired = tokenRequest(assertion(EMAIL, keys.getPrivate(),
        Instant.now().minus(Duration.ofHours(2))));
    HttpResponse<String> unknown = tokenRequest(assertion("nobody@x.iam.gserviceaccount.com", keys.getPrivate(),
        Instant.now()));

    assertThat(expired.statusCode()).isEqualTo(400);
    assertThat(expired.body()).contains("invalid_grant", "iat and exp");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("account not found");
  }

  @Test
  void rawPredictAnswersInAnthropicsShapeAndTheSecondCallReadsTheCache() {
    String token = token(EMAIL, keys.getPrivate());

    HttpResponse<String> first = predict(token, PROJECT, "rawPredict", cachedBody());
    HttpResponse<String> second = predict(token, PROJECT, "rawPredict", cachedBody());

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonObject message = new JsonObject(first.body());
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("model")).isEqualTo(MODEL);
    assertThat(message.getJsonObject("usage").getLong("cache_creation_input_tokens")).isEqualTo(1100);
    assertThat(new JsonObject(second.body()).getJsonObject("usage").getLong("cache_read_input_tokens"))
        .isEqualTo(1100);
    assertThat(emulator.counters("vertex-1").requests()).isEqualTo(2);
    assertThat(emulator.counters("vertex-1").cacheReadInputTokens()).isEqualTo(1100);
    CapturedRequest captured = emulator.capturedRequests("vertex-1").get(0);
    assertThat(captured.header("authorization")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(new JsonObject(captured.body()).containsKey("model")).isFalse();
  }

  @Test
  void streamRawPredictStreamsAnthropicEventsWithTheCacheNumbers() {
    String token = token(EMAIL, keys.getPrivate());
    predict(token, PROJECT, "rawPredict", cachedBody());

    HttpResponse<String> response = predict(token, PROJECT, "streamRawPredict", cachedBody().put("stream", true));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("text/event-stream"));
    List<ApiCalls.Event> events = ApiCalls.events(response.body());
    assertThat(events.get(0).name()).isEqualTo("message_start");
    assertThat(events.get(0).data().getJsonObject("message").getJsonObject("usage")
        .getLong("cache_read_input_tokens")).isEqualTo(1100);
    assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
  }

  @Test
  void theVertexCacheIsTheProjectsOwn() {
    predict(token(EMAIL, keys.getPrivate()), PROJECT, "rawPredict", cachedBody());

    HttpResponse<String> other = predict(token(OTHER_EMAIL, otherKeys.getPrivate()), OTHER_PROJECT, "rawPredict",
        cachedBody());

    assertThat(new JsonObject(other.body()).getJsonObject("usage").getLong("cache_read_input_tokens")).isZero();
  }

  @Test
  void aMissingUnknownOrExpiredTokenIsUnauthenticated() {
    String token = token(EMAIL, keys.getPrivate());

    HttpResponse<String> unknown = predict("ya29.not-issued", PROJECT, "rawPredict", cachedBody());
    HttpResponse<String> missing = send(HttpRequest.newBuilder(predictUri(PROJECT, "rawPredict"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(cachedBody().encode())).build());
    emulator.advanceClock(Duration.ofMinutes(61));
    HttpResponse<String> expired = predict(token, PROJECT, "rawPredict", cachedBody());

    for (HttpResponse<String> response : List.of(unknown, missing, expired)) {
      assertThat(response.statusCode()).isEqualTo(401);
      JsonObject error = new JsonObject(response.body()).getJsonObject("error");
      assertThat(error.getInteger("code")).isEqualTo(401);
      assertThat(error.getString("status")).isEqualTo("UNAUTHENTICATED");
    }
    assertThat(emulator.counters("vertex-1").requests()).isZero();
  }

  @Test
  void aTokenOfAnotherProjectIsDenied() {
    HttpResponse<String> response = predict(token(OTHER_EMAIL, otherKeys.getPrivate()), PROJECT, "rawPredict",
        cachedBody());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("status"))
        .isEqualTo("PERMISSION_DENIED");
  }

  @Test
  void theBodyMustCarryVertexsAnthropicVersionAndNoModel() {
    String token = token(EMAIL, keys.getPrivate());

    HttpResponse<String> noVersion = predict(token, PROJECT, "rawPredict", body().put("anthropic_version", null));
    HttpResponse<String> withModel = predict(token, PROJECT, "rawPredict", body().put("model", "claude-sonnet-4-5"));

    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(noVersion.body()).getJsonObject("error").getString("type"))
        .isEqualTo("invalid_request_error");
    assertThat(noVersion.body()).contains("anthropic_version");
    assertThat(withModel.statusCode()).isEqualTo(400);
    assertThat(withModel.body()).contains("model");
  }

  @Test
  void overTheRequestLimitIsAQuotaErrorInGooglesShape(Vertx vertx) {
    emulator.close().await();
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions().addAccount(AccountConfig.vertex("limited",
        new VertexCredentials(PROJECT, EMAIL, (RSAPublicKey) keys.getPublic())).withRpm(1))).await();
    String token = token(EMAIL, keys.getPrivate());

    predict(token, PROJECT, "rawPredict", body());
    HttpResponse<String> limited = predict(token, PROJECT, "rawPredict", body());

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(limited.body()).getJsonObject("error").getString("status"))
        .isEqualTo("RESOURCE_EXHAUSTED");
  }

  @Test
  void countTokensTakesTheModelInTheBody() {
    HttpResponse<String> response = predict(token(EMAIL, keys.getPrivate()), PROJECT, "rawPredict",
        body().put("model", MODEL), "count-tokens");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getLong("input_tokens")).isEqualTo(4);
  }

  @Test
  void twoAccountsCannotShareAProject() {
    EmulatorOptions options = new EmulatorOptions().addVertexAccount("a", PROJECT, EMAIL,
        (RSAPublicKey) keys.getPublic());

    assertThatThrownBy(() -> options.addVertexAccount("b", PROJECT, OTHER_EMAIL, (RSAPublicKey) otherKeys.getPublic()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("project");
  }

  @Test
  void geminiOnVertexAnswersLikeTheGeminiApiAndReadsTheProjectsImplicitCache() {
    String token = token(EMAIL, keys.getPrivate());

    HttpResponse<String> first = generate(token, PROJECT, "generateContent", geminiBody("hi"));
    HttpResponse<String> second = generate(token, PROJECT, "generateContent", geminiBody("something else"));
    HttpResponse<String> otherProject = generate(token(OTHER_EMAIL, otherKeys.getPrivate()), OTHER_PROJECT,
        "generateContent", geminiBody("hi"));

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(first.body());
    assertThat(answer.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getString("role"))
        .isEqualTo("model");
    assertThat(answer.getJsonObject("usageMetadata").containsKey("cachedContentTokenCount")).isFalse();
    long cached = new JsonObject(second.body()).getJsonObject("usageMetadata").getLong("cachedContentTokenCount");
    assertThat(cached).isGreaterThanOrEqualTo(1024).isLessThan(
        new JsonObject(second.body()).getJsonObject("usageMetadata").getLong("promptTokenCount"));
    assertThat(new JsonObject(otherProject.body()).getJsonObject("usageMetadata")
        .containsKey("cachedContentTokenCount")).isFalse();
    assertThat(emulator.counters("vertex-1").requests()).isEqualTo(2);
    assertThat(emulator.capturedRequests("vertex-1").get(0).header("authorization"))
        .isEqualTo(CapturedRequest.REDACTED);
  }

  @Test
  void geminiOnVertexStreamsServerSentEventsWithTheCacheNumbers() {
    String token = token(EMAIL, keys.getPrivate());
    generate(token, PROJECT, "generateContent", geminiBody("hi"));

    HttpResponse<String> streamed = generate(token, PROJECT, "streamGenerateContent?alt=sse", geminiBody("hi"));

    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("content-type")).hasValue("text/event-stream");
    String[] frames = streamed.body().split("\r\n\r\n");
    assertThat(frames).allSatisfy(frame -> assertThat(frame).startsWith("data: "));
    JsonObject last = new JsonObject(frames[frames.length - 1].substring("data: ".length()));
    assertThat(last.getJsonArray("candidates").getJsonObject(0).getString("finishReason")).isEqualTo("STOP");
    assertThat(last.getJsonObject("usageMetadata").getLong("cachedContentTokenCount")).isGreaterThanOrEqualTo(1024);
  }

  @Test
  void geminiOnVertexChecksTokensAndProjectsAndAnswersGooglesErrors() {
    String token = token(EMAIL, keys.getPrivate());

    HttpResponse<String> anonymous = generate("ya29.unknown", PROJECT, "generateContent", geminiBody("hi"));
    HttpResponse<String> elsewhere = generate(token, OTHER_PROJECT, "generateContent", geminiBody("hi"));
    HttpResponse<String> malformed = send(HttpRequest.newBuilder(generateUri(PROJECT, "generateContent"))
        .header("authorization", "Bearer " + token).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(anonymous.body()).getJsonObject("error").getString("status"))
        .isEqualTo("UNAUTHENTICATED");
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(elsewhere.body()).getJsonObject("error").getString("status"))
        .isEqualTo("PERMISSION_DENIED");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getJsonObject("error").getString("status"))
        .isEqualTo("INVALID_ARGUMENT");
  }

  // ---- helpers ----

  private static JsonObject geminiBody(String userText) {
    return new JsonObject()
        .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject()
            .put("text", LONG))))
        .put("contents", new JsonArray().add(new JsonObject().put("role", "user")
            .put("parts", new JsonArray().add(new JsonObject().put("text", userText)))));
  }

  private URI generateUri(String project, String method) {
    return URI.create(emulator.baseUrl() + "/v1/projects/" + project
        + "/locations/us-central1/publishers/google/models/" + GEMINI + ":" + method);
  }

  private HttpResponse<String> generate(String token, String project, String method, JsonObject body) {
    return send(HttpRequest.newBuilder(generateUri(project, method))
        .header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  private static JsonObject body() {
    return new JsonObject().put("anthropic_version", "vertex-2023-10-16").put("max_tokens", 16)
        .put("messages", new JsonArray().add(userSays("hi")));
  }

  private static JsonObject cachedBody() {
    return body().put("system", new JsonArray().add(marked(text(LONG))));
  }

  private String token(String email, PrivateKey key) {
    HttpResponse<String> response = tokenRequest(assertion(email, key, Instant.now()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getString("access_token");
  }

  private HttpResponse<String> tokenRequest(String assertion) {
    String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
        StandardCharsets.UTF_8) + "&assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  /** A JWT as Google's libraries sign it for a service account: RS256 over base64url header and claims. */
  private String assertion(String email, PrivateKey key, Instant issuedAt) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String header = base64.encodeToString(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", "k1")
        .encode().getBytes(StandardCharsets.UTF_8));
    String claims = base64.encodeToString(new JsonObject().put("iss", email).put("scope", SCOPE)
        .put("aud", emulator.baseUrl() + "/token").put("iat", issuedAt.getEpochSecond())
        .put("exp", issuedAt.plusSeconds(3600).getEpochSecond()).encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return header + "." + claims + "." + base64.encodeToString(signer.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private URI predictUri(String project, String method) {
    return predictUri(project, method, MODEL);
  }

  private URI predictUri(String project, String method, String model) {
    return URI.create(emulator.baseUrl() + "/v1/projects/" + project + "/locations/us-east5/publishers/anthropic/models/"
        + model + ":" + method);
  }

  private HttpResponse<String> predict(String token, String project, String method, JsonObject body) {
    return predict(token, project, method, body, MODEL);
  }

  private HttpResponse<String> predict(String token, String project, String method, JsonObject body, String model) {
    return send(HttpRequest.newBuilder(predictUri(project, method, model))
        .header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
