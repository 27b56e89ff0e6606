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

/** Real HTTP calls to an emulator from the test thread (JDK client: blocking is fine off the event loop). */
final class ApiCalls {

  static final String VERSION = "2023-06-01";
  static final String MODEL = "claude-sonnet-4-5";

  private final HttpClient http = HttpClient.newHttpClient();
  private final String baseUrl;

  ApiCalls(UpstreamEmulator emulator) {
    this.baseUrl = emulator.baseUrl();
  }

  HttpResponse<String> messages(String apiKey, JsonObject body) {
    return send(request("/v1/messages", apiKey).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  CompletableFuture<HttpResponse<String>> messagesAsync(String apiKey, JsonObject body) {
    HttpRequest request = request("/v1/messages", apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Usage of a successful non-streaming answer. */
  JsonObject usage(String apiKey, JsonObject body) {
    HttpResponse<String> response = messages(apiKey, body);
    if (response.statusCode() != 200) {
      throw new AssertionError("expected 200, got " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body()).getJsonObject("usage");
  }

  HttpRequest.Builder request(String pathAndQuery, String apiKey) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
        .header("anthropic-version", VERSION)
        .header("content-type", "application/json");
    if (apiKey != null) {
      builder.header("x-api-key", apiKey);
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

  HttpResponse<String> get(String pathAndQuery, String apiKey) {
    return send(request(pathAndQuery, apiKey).GET().build());
  }

  HttpResponse<String> post(String pathAndQuery, String apiKey, String body) {
    return send(request(pathAndQuery, apiKey).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> delete(String pathAndQuery) {
    return send(request(pathAndQuery, null).DELETE().build());
  }

  HttpResponse<String> messagesWithTimeout(String apiKey, JsonObject body, Duration timeout) throws Exception {
    HttpRequest request = request("/v1/messages", apiKey).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A server-sent event as parsed from the wire. */
  record Event(String name, JsonObject data) {
  }

  static List<Event> events(String sse) {
    List<Event> events = new ArrayList<>();
    for (String frame : sse.split("\n\n")) {
      if (frame.isBlank()) {
        continue;
      }
      String name = null;
      String data = null;
      for (String line : frame.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring("event: ".length());
        } else if (line.startsWith("data: ")) {
          data = line.substring("data: ".length());
        }
      }
      events.add(new Event(name, new JsonObject(data)));
    }
    return events;
  }

  // ---- request bodies ----

  static JsonObject request(JsonArray messages) {
    return new JsonObject().put("model", MODEL).put("max_tokens", 64).put("messages", messages);
  }

  static JsonObject userSays(Object content) {
    return new JsonObject().put("role", "user").put("content", content);
  }

  static JsonObject assistantSays(Object content) {
    return new JsonObject().put("role", "assistant").put("content", content);
  }

  static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  static JsonObject marked(JsonObject block) {
    return block.copy().put("cache_control", new JsonObject().put("type", "ephemeral"));
  }

  static JsonObject markedOneHour(JsonObject block) {
    return block.copy().put("cache_control", new JsonObject().put("type", "ephemeral").put("ttl", "1h"));
  }

  /** Text of exactly {@code tokens} tokens under the emulator's formula (4 characters a token). */
  static String textOfTokens(int tokens, char filler) {
    return String.valueOf(filler).repeat(tokens * 4);
  }
}
