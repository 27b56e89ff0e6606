package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Gemini API: key authentication, answers, streams and implicit caching, with numbers from the token formula. The
 * prompt below is a system instruction of 3 + 1500 tokens and a user turn of 3 + 2: 1508 tokens, whose longest
 * cacheable prefix ends on the 1408-token boundary (1024 + 3 × 128).
 */
@ExtendWith(VertxExtension.class)
class GeminiApiTest {

  private static final String KEY = "gm-key-1";
  private static final String OTHER_KEY = "gm-key-2";
  private static final String FLASH = "gemini-2.5-flash";
  private static final String SYSTEM = "s".repeat(1500 * 4);

  private final HttpClient http = HttpClient.newHttpClient();
  private UpstreamEmulator emulator;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", OTHER_KEY)
        .setDefaultOutputTokens(20)).await();
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject request(String userText) {
    return new JsonObject()
        .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject()
            .put("text", SYSTEM))))
        .put("contents", new JsonArray().add(new JsonObject().put("role", "user")
            .put("parts", new JsonArray().add(new JsonObject().put("text", userText)))));
  }

  private HttpResponse<String> call(String key, String model, String method, JsonObject body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/v1beta/models/" + model
        + ":" + method)).header("content-type", "application/json");
    if (key != null) {
      builder.header("x-goog-api-key", key);
    }
    try {
      return http.send(builder.POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonObject usage(String key, String model, JsonObject body) {
    HttpResponse<String> response = call(key, model, "generateContent", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonObject("usageMetadata");
  }

  @Test
  void aRepeatedPromptReadsItsLongestCachedPrefix() {
    JsonObject first = usage(KEY, FLASH, request("hello"));
    assertThat(first.getLong("promptTokenCount")).isEqualTo(1508);
    assertThat(first.containsKey("cachedContentTokenCount")).isFalse();
    assertThat(first.getLong("candidatesTokenCount")).isEqualTo(20);

    assertThat(usage(KEY, FLASH, request("hello")).getLong("cachedContentTokenCount")).isEqualTo(1408);
    // another turn after the same system instruction shares its prefix
    assertThat(usage(KEY, FLASH, request("something else")).getLong("cachedContentTokenCount")).isEqualTo(1408);
    // caches are per account and per model
    assertThat(usage(OTHER_KEY, FLASH, request("hello")).containsKey("cachedContentTokenCount")).isFalse();
    assertThat(usage(KEY, "gemini-2.5-flash-lite", request("hello")).containsKey("cachedContentTokenCount"))
        .isFalse();
  }

  @Test
  void proModelsReadNothingBelow4096Tokens() {
    usage(KEY, "gemini-2.5-pro", request("hello"));
    assertThat(usage(KEY, "gemini-2.5-pro", request("hello")).containsKey("cachedContentTokenCount")).isFalse();
  }

  @Test
  void streamsServerSentEventsThatAddUpToTheCompleteAnswer() {
    JsonObject complete = new JsonObject(call(KEY, FLASH, "generateContent", request("hi")).body());
    HttpResponse<String> streamed = call(KEY, FLASH, "streamGenerateContent?alt=sse", request("hi"));

    assertThat(streamed.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<JsonObject> chunks = new ArrayList<>();
    for (String frame : streamed.body().split("\r\n\r\n")) {
      assertThat(frame).startsWith("data: ");
      chunks.add(new JsonObject(frame.substring("data: ".length())));
    }
    assertThat(chunks).hasSize(3);
    StringBuilder text = new StringBuilder();
    chunks.forEach(chunk -> text.append(chunk.getJsonArray("candidates").getJsonObject(0).getJsonObject("content")
        .getJsonArray("parts").getJsonObject(0).getString("text")));
    JsonObject completeCandidate = complete.getJsonArray("candidates").getJsonObject(0);
    assertThat(text.toString()).isEqualTo(completeCandidate.getJsonObject("content").getJsonArray("parts")
        .getJsonObject(0).getString("text"));
    JsonObject last = chunks.get(2);
    assertThat(last.getJsonArray("candidates").getJsonObject(0).getString("finishReason")).isEqualTo("STOP");
    assertThat(last.getJsonObject("usageMetadata").getLong("candidatesTokenCount")).isEqualTo(20);
    assertThat(last.getJsonObject("usageMetadata").getLong("cachedContentTokenCount")).isEqualTo(1408);
    assertThat(chunks.get(0).getJsonArray("candidates").getJsonObject(0).containsKey("finishReason")).isFalse();
  }

  @Test
  void maxOutputTokensCutsTheAnswerAndAForcedToolIsCalled() {
    JsonObject limited = request("hi").put("generationConfig", new JsonObject().put("maxOutputTokens", 3));
    JsonObject answer = new JsonObject(call(KEY, FLASH, "generateContent", limited).body());
    assertThat(answer.getJsonArray("candidates").getJsonObject(0).getString("finishReason")).isEqualTo("MAX_TOKENS");
    assertThat(answer.getJsonObject("usageMetadata").getLong("candidatesTokenCount")).isEqualTo(3);

    JsonObject withTool = request("weather?")
        .put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", new JsonArray()
            .add(new JsonObject().put("name", "other").put("parameters", new JsonObject().put("type", "object")))
            .add(new JsonObject().put("name", "weather").put("parameters", new JsonObject().put("type", "object")
                .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string")))
                .put("required", new JsonArray().add("city")))))))
        .put("toolConfig", new JsonObject().put("functionCallingConfig", new JsonObject().put("mode", "ANY")
            .put("allowedFunctionNames", new JsonArray().add("weather"))));
    JsonObject call = new JsonObject(call(KEY, FLASH, "generateContent", withTool).body())
        .getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts").getJsonObject(0)
        .getJsonObject("functionCall");
    assertThat(call.getString("name")).isEqualTo("weather");
    assertThat(call.getJsonObject("args").getValue("city")).isInstanceOf(String.class);
  }

  @Test
  void countsTokensOfARequest() {
    HttpResponse<String> response = call(KEY, FLASH, "countTokens",
        new JsonObject().put("generateContentRequest", request("hello").put("model", "models/" + FLASH)));
    assertThat(new JsonObject(response.body()).getLong("totalTokens")).isEqualTo(1508);
  }

  @Test
  void authenticatesByApiKeyAndAnswersGoogleErrors() {
    HttpResponse<String> missing = call(null, FLASH, "generateContent", request("hi"));
    assertThat(missing.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(missing.body()).getJsonObject("error").getString("status"))
        .isEqualTo("PERMISSION_DENIED");

    HttpResponse<String> wrong = call("nope", FLASH, "generateContent", request("hi"));
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(wrong.body()).getJsonObject("error").getString("message")).contains("API key not valid");

    HttpResponse<String> empty = call(KEY, FLASH, "generateContent", new JsonObject().put("contents", new JsonArray()));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(empty.body()).getJsonObject("error").getString("status")).isEqualTo("INVALID_ARGUMENT");

    assertThat(emulator.capturedRequests("acct-1")).isNotEmpty()
        .allSatisfy(captured -> assertThat(captured.header("x-goog-api-key")).isEqualTo(CapturedRequest.REDACTED));
  }
}
