package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Real HTTP calls to an emulator's OpenAI routes from the test thread, the way an OpenAI SDK makes them. */
final class OpenAiCalls {

  static final String MODEL = "gpt-4o";
  static final String DONE = "[DONE]";

  private final HttpClient http = HttpClient.newHttpClient();
  private final String baseUrl;

  OpenAiCalls(UpstreamEmulator emulator) {
    this.baseUrl = emulator.baseUrl();
  }

  HttpResponse<String> chat(String apiKey, JsonObject body) {
    return send(request("/v1/chat/completions", apiKey).POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build());
  }

  HttpResponse<String> responses(String apiKey, JsonObject body) {
    return send(request("/v1/responses", apiKey).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  HttpResponse<String> chatWithTimeout(String apiKey, JsonObject body, Duration timeout) throws Exception {
    HttpRequest request = request("/v1/chat/completions", apiKey).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> chatAsync(String apiKey, JsonObject body) {
    return http.sendAsync(request("/v1/chat/completions", apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Usage of a successful non-streaming answer. */
  JsonObject usage(String apiKey, JsonObject body) {
    HttpResponse<String> response = chat(apiKey, body);
    if (response.statusCode() != 200) {
      throw new AssertionError("expected 200, got " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body()).getJsonObject("usage");
  }

  /** {@code usage.prompt_tokens_details.cached_tokens} of a successful non-streaming answer. */
  long cachedTokens(String apiKey, JsonObject body) {
    return usage(apiKey, body).getJsonObject("prompt_tokens_details").getLong("cached_tokens");
  }

  HttpResponse<String> get(String path, String apiKey) {
    return send(request(path, apiKey).GET().build());
  }

  HttpRequest.Builder request(String path, String apiKey) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("content-type", "application/json");
    if (apiKey != null) {
      builder.header("authorization", "Bearer " + apiKey);
    }
    return builder;
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The {@code data:} payloads of an SSE body, in order ({@value #DONE} included, as a string). */
  static List<String> dataLines(String sse) {
    List<String> data = new ArrayList<>();
    for (String frame : sse.split("\n\n")) {
      if (frame.isBlank()) {
        continue;
      }
      if (!frame.startsWith("data: ") || frame.contains("\n")) {
        throw new AssertionError("not a single data line: " + frame);
      }
      data.add(frame.substring("data: ".length()));
    }
    return data;
  }

  // ---- request bodies ----

  static JsonObject chatRequest(JsonArray messages) {
    return new JsonObject().put("model", MODEL).put("messages", messages);
  }

  static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  static JsonObject hello() {
    return chatRequest(new JsonArray().add(message("user", "hello")));
  }

  /** Text of exactly {@code tokens} tokens under the emulator's formula (4 characters a token). */
  static String textOfTokens(int tokens, char filler) {
    return String.valueOf(filler).repeat(tokens * 4);
  }

  static JsonObject weatherTool() {
    return new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather")
        .put("description", "Weather of a city")
        .put("parameters", new JsonObject()
            .put("type", "object")
            .put("properties", new JsonObject()
                .put("city", new JsonObject().put("type", "string"))
                .put("unit", new JsonObject().put("type", "string").put("enum", new JsonArray().add("c").add("f"))))
            .put("required", new JsonArray().add("city").add("unit"))));
  }
}
